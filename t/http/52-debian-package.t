# The Debian package, as an administrator uses it (README, "Debian
# package"): dpkg-buildpackage on a copy of the tree, dpkg -i, a2enmod of
# the hub's modules (which brings mod_dbd and mod_socache_shmcb along by
# their .load files' Depends, and loads neither twice), the database in
# the root-only /etc/mod-hub/database.conf, the installed hubctl migrating
# an empty database from it, a2enconf hub-database, a2ensite mod-hub, and
# Debian's own apache2 started through apache2ctl answering /health and a
# profile route.  The instance is a second one (/etc/apache2-<suffix>,
# README.multiple-instances) on a free loopback port: the system's
# /etc/apache2 gets only the package's files, nothing enabled, and
# dpkg --purge takes them away again, which the test checks file by file.
# Also make install + make uninstall into a DESTDIR, which must leave no
# file behind.
use strict;
use warnings;
use Test::More;
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use File::Basename qw(basename);
use HTTP::Tiny;
use JSON::PP;
use Time::HiRes qw(sleep);
use HubTest;

use Fcntl qw(:flock);

plan skip_all => 'needs root: installs a Debian package and runs apache2ctl' if $> != 0;
# two runs at once (two checkouts' suites) would share the system's
# package: one at a time
open my $lock, '>', '/var/lock/hubtest-debian-package.lock' or die "lock: $!";
flock $lock, LOCK_EX or die "flock: $!";
my $PKG = 'libapache2-mod-hub';
my $status = `dpkg-query -W -f='\${Status}' $PKG 2>/dev/null`;
plan skip_all => "$PKG is installed on this machine; the test would purge it"
    if $status =~ /ok installed|config-files|half/;

my $TOP = $HubTest::TOP;
my $work = tempdir('/tmp/hubtest-deb.XXXXXX', CLEANUP => 0);
chmod 0755, $work;
my $q = \&HubTest::quote;

# run CMD (a shell line): [exit code, output]
sub run {
    my ($cmd) = @_;
    open(my $fh, '-|', 'bash', '-c', "$cmd 2>&1") or die "bash: $!";
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    return [$? >> 8, $out];
}
sub ok_run {
    my ($cmd, $name) = @_;
    my $r = run($cmd);
    ok($r->[0] == 0, $name) or diag("$cmd\n" . substr($r->[1], -3000));
    return $r->[1];
}

# ---- what is put on the system, undone at the end whatever happens ----
my $suffix = "hubtest$$";
my $confdir = "/etc/apache2-$suffix";
my @instance_dirs = ($confdir, map { "$_-$suffix" }
                     qw(/var/log/apache2 /var/run/apache2 /var/lock/apache2));
my ($pg_port, $pg_pass, $pg_dir, $db, $installed, $started);
my %env = (APACHE_CONFDIR => $confdir, APACHE_STATE_DIRECTORY => "$work/state");
my $envs = join ' ', map { "$_=" . $q->($env{$_}) } sort keys %env;

sub cleanup {
    if ($started) {
        run("$envs apache2ctl stop");
        my $pidfile = "/var/run/apache2-$suffix/apache2.pid";
        HubTest::eventually(20, sub { !-e $pidfile });
        $started = 0;
    }
    remove_tree($_) for @instance_dirs;
    if ($installed) {
        run("dpkg --purge $PKG");
        $installed = 0;
    }
    if ($db) {
        eval { psql('postgres', qq{DROP DATABASE IF EXISTS "$db"}, 'postgres') };
        undef $db;
    }
    if ($pg_dir) {
        eval { HubTest::sh_lib('pg_stop ' . $q->($pg_dir)) };
        undef $pg_dir;
    }
}
END { local $?; cleanup(); remove_tree($work) if $work && !$ENV{HUB_KEEP} }
$SIG{INT} = $SIG{TERM} = sub { cleanup(); exit 1 };

sub psql {
    my ($dbname, $sql, $user) = @_;
    my $out = HubTest::sh_lib("pg_psql $pg_port " . $q->($pg_pass) . ' ' . ($user || 'hub')
                              . ' ' . $q->($dbname) . ' -At -c ' . $q->($sql));
    chomp $out;
    return $out;
}

# ---- the package, built from a copy of the tree ------------------------
if (!-x '/usr/bin/dpkg-buildpackage' || !-x '/usr/bin/dh' || !-x '/usr/bin/dh_apache2') {
    # the packaging tools are among ./tools/hub deps' packages
    HubTest::sh_lib('hub_deps');
}
my $src = "$work/src";
make_path($src);
my $files = -d "$TOP/.git" || -f "$TOP/.git"
    ? "git -C " . $q->($TOP) . " ls-files -co --exclude-standard -z"
    : "cd " . $q->($TOP) . " && find . -path ./build -prune -o -path ./var -prune "
      . "-o -type f -print0";
ok_run("set -o pipefail; $files | tar -C " . $q->($TOP) . " --null -T - -cf - "
       . "| tar -C " . $q->($src) . " -xf -", 'a copy of the source tree');
my $jobs = `nproc` + 0 || 1;
my $built = run("cd " . $q->($src) . " && DEB_BUILD_OPTIONS='nocheck parallel=$jobs' "
             . "dpkg-buildpackage -us -uc -b");
ok($built->[0] == 0, 'dpkg-buildpackage -us -uc -b builds it')
    or diag(substr($built->[1], -3000)), BAIL_OUT('no package');
my ($deb) = glob("$work/${PKG}_*.deb");
ok($deb && -f $deb, "the package is $PKG") or BAIL_OUT('no .deb');

# make install and uninstall of the same tree, into a DESTDIR
my $dest = "$work/destdir";
ok_run("make -C " . $q->($src) . " -s install DESTDIR=" . $q->($dest),
       'make install into a DESTDIR');
my @put = split /\n/, `cd '$dest' && find . -type f | sort`;
my %put = map { $_ => 1 } @put;
ok($put{"./usr/lib/apache2/modules/mod_hub_$_.so"}, "make install puts mod_hub_$_.so "
   . 'in apxs\' module directory') for qw(auth servers analytics workflows);
ok($put{'./usr/sbin/hubctl'} && $put{'./usr/libexec/mod-hub/hub-keygen'}
   && $put{'./usr/libexec/mod-hub/lib/pg.sh'}, 'hubctl, hub-keygen and their helpers');
my @sql = sort map { basename($_) } glob("$TOP/sql/[0-9]*.sql");
is(scalar(grep { $put{"./usr/share/mod-hub/sql/$_"} } @sql), scalar(@sql),
   'every migration of sql/ in $(datadir)/mod-hub/sql');
ok($put{'./usr/share/mod-hub/conf/hub-mounts.conf'}, 'and the conf/ snippets');
ok_run("make -C " . $q->($src) . " -s uninstall DESTDIR=" . $q->($dest), 'make uninstall');
is(`cd '$dest' && find . -type f | sort`, '', 'make uninstall leaves no file (the .so included)');

# ---- install -------------------------------------------------------------
$installed = 1;
my $r = run("dpkg -i " . $q->($deb));
if ($r->[0] != 0) {
    # its dependencies, from the distribution
    $r = run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq');
}
is(`dpkg-query -W -f='\${Status}' $PKG`, 'install ok installed', 'dpkg -i installs it')
    or diag($r->[1]), BAIL_OUT('not installed');
my @owned = grep { -f $_ || -l $_ } split /\n/, `dpkg -L $PKG`;
ok(-f "/etc/apache2/mods-available/$_", "mods-available/$_")
    for map { ("hub_$_.load", "hub_$_.conf") } qw(auth servers analytics workflows);
ok(!grep({ -e "/etc/apache2/mods-enabled/hub_$_.load" } qw(auth servers analytics workflows)),
   'nothing enabled by the package: the modules need a database first');
my $dbconf = '/etc/mod-hub/database.conf';
is((stat $dbconf)[2] & 07777, 0600, "$dbconf is root's only");
is((stat $dbconf)[4], 0, 'and owned by root');
unlike(`grep -h LoadModule /etc/apache2/mods-available/hub_*.load`, qr/dbd|socache/,
       'the hub\'s .load files load only the hub\'s modules');

# ---- the database, in the root-only file; hubctl migrates from it -------
if ($ENV{HUB_TEST_PGPORT}) {
    ($pg_port, $pg_pass) = @ENV{qw(HUB_TEST_PGPORT HUB_TEST_PGPASS)};
}
else {
    ($pg_dir, $pg_port, $pg_pass) = HubTest::private_cluster($work);
}
my $pass = do { local (@ARGV, $/) = ($pg_pass); <> };
chomp $pass;
$db = "t_debian_package_$$";
psql('postgres', qq{CREATE DATABASE "$db" OWNER hub ENCODING 'UTF8' TEMPLATE template0},
     'postgres');
open my $fh, '>', $dbconf or die "$dbconf: $!";
print $fh "# the test's database\n",
    qq{DBDParams "host=127.0.0.1 port=$pg_port dbname=$db user=hub password=$pass connect_timeout=3"\n};
close $fh;
is((stat $dbconf)[2] & 07777, 0600, 'still 0600 with the password in it');
ok_run("/usr/sbin/hubctl --conf $dbconf migrate", 'the installed hubctl migrates from it');
is(psql($db, 'SELECT count(*) FROM schema_migrations'), scalar(@sql),
   'every migration of the source tree applied and recorded');
my $r2 = run("/usr/sbin/hubctl --conf $dbconf migrate");
ok($r2->[0] == 0, 'a second migrate is a no-op');

# ---- a second apache2 instance: a copy of /etc/apache2 ------------------
ok_run("cp -a /etc/apache2 " . $q->($confdir), "the instance's $confdir");
make_path("$work/state", "/var/log/apache2-$suffix");    # as setup-instance makes it
my $port = HubTest::free_port();
open $fh, '>', "$confdir/ports.conf" or die;
print $fh "Listen 127.0.0.1:$port\n";
close $fh;
unlink glob("$confdir/sites-enabled/*");    # the system's sites are not ours
ok_run("$envs a2enmod hub_servers hub_analytics hub_workflows",
       'a2enmod of the modules');
ok(-l "$confdir/mods-enabled/$_.load", "its Depends enabled $_")
    for qw(hub_auth dbd socache_shmcb);
my $again = ok_run("$envs a2enmod dbd", 'a2enmod dbd afterwards');
like($again, qr/already enabled/, 'says it is already enabled');
ok_run("$envs a2enmod hub_auth", 'a2enmod hub_auth too');
ok_run("$envs a2enconf hub-database", 'a2enconf hub-database');
# the example site, on the instance's address
my $site = "$confdir/sites-available/mod-hub.conf";
my $text = do { local (@ARGV, $/) = ($site); <> };
$text =~ s/<VirtualHost \*:80>/<VirtualHost 127.0.0.1:$port>/ or fail('the site has *:80');
open $fh, '>', $site or die;
print $fh $text;
close $fh;
ok_run("$envs a2ensite mod-hub", 'a2ensite mod-hub');
my $t = run("$envs apache2ctl -t");
ok($t->[0] == 0, 'apache2ctl -t: the configuration is valid') or diag($t->[1]);
unlike($t->[1], qr/already loaded/i, 'no module loaded twice');

$started = 1;
ok_run("$envs apache2ctl start", "Debian's apache2 starts with the hub");
my $http = HTTP::Tiny->new(timeout => 10);
my $base = "http://127.0.0.1:$port";
my $up = HubTest::eventually(20, sub { $http->get("$base/health")->{status} != 599 });
ok(defined $up, 'it listens');
my $h = $http->get("$base/health");
is($h->{status}, 200, '/health answers 200');
my $hj = eval { JSON::PP->new->decode($h->{content}) };
ok(ref $hj eq 'HASH' && exists $hj->{status}, 'with the hub\'s JSON') or diag($h->{content});

# a tenant and a key through the installed hubctl, then the Patchwork API
ok_run("/usr/sbin/hubctl --conf $dbconf create-team acme", 'hubctl create-team');
my $key = `/usr/sbin/hubctl --conf $dbconf create-key acme --scopes operator.admin`;
chomp $key;
ok(length $key, 'hubctl create-key (the installed hub-keygen)');
my $s = $http->get("$base/api/v1/servers/", { headers => { Authorization => "Bearer $key" } });
is($s->{status}, 200, 'the Patchwork API answers with the key') or diag($s->{content});
my $sj = eval { JSON::PP->new->decode($s->{content}) };
ok(defined $sj, 'in JSON');
is($http->get("$base/api/v1/servers/")->{status}, 401, 'and 401 without it');
is($http->get("$base/caylex/api/v1/analytics/health")->{status}, 200, 'the Caylex mount answers');
my $log = do { local (@ARGV, $/) = ("/var/log/apache2-$suffix/error.log"); <> } // '';
unlike($log, qr/already loaded/i, 'the error log has no module loaded twice');
unlike($log, qr/:(?:emerg|alert|crit|error)\]/, 'nor any error')
    or diag($log);

ok_run("$envs apache2ctl stop", 'apache2ctl stop');
ok(defined HubTest::eventually(20, sub { !-e "/var/run/apache2-$suffix/apache2.pid" }),
   'it stops');
$started = 0;

# ---- purge: the system as it was ----------------------------------------
remove_tree($_) for @instance_dirs;
ok_run("dpkg --purge $PKG", 'dpkg --purge');
$installed = 0;
unlike(`dpkg-query -W -f='\${Status}' $PKG 2>/dev/null`, qr/ok installed|config-files/,
       'the package is gone, configuration files included');
my @left = grep { -e $_ } @owned;
is_deeply(\@left, [], 'every file it installed is removed') or diag("@left");
ok(!-e '/etc/mod-hub' && !-e '/usr/share/mod-hub' && !-e '/usr/libexec/mod-hub',
   'its directories too');
ok(!grep({ -e $_ } @instance_dirs), 'the instance\'s directories are gone');
done_testing;
