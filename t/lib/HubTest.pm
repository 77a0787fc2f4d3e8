package HubTest;
# The HTTP test harness: a real httpd with the built hub modules on a free
# loopback port, talking to a real PostgreSQL, one database per test file.
#
# t/run-tests starts one PostgreSQL cluster for the run and migrates a
# template database; each HubTest copies it.  A test that stops the
# database (private_pg => 1) gets a cluster of its own.  Run alone
# (prove t/http/x.t) a test starts its own cluster too.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname basename);
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(:sys_wait_h);
use Test::More;
use Time::HiRes qw(sleep time);
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64url);

our $TOP = $ENV{HUB_TOP} || abs_path(dirname(__FILE__) . '/../..');
our $JSON = JSON::PP->new->canonical->allow_nonref;

sub sh_lib {
    my ($script) = @_;
    my $cmd = ". '$TOP/tools/lib/common.sh'; . '$TOP/tools/lib/pg.sh'; $script";
    open(my $fh, '-|', 'bash', '-c', "$cmd 2>&1") or die "bash: $!";
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    die "failed: $script\n$out" if $?;
    return $out;
}

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0) or die "no port: $!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub quote { my $s = shift; $s =~ s/'/'\\''/g; return "'$s'" }

# A PostgreSQL cluster of our own: [dir, port, passfile]
sub private_cluster {
    my ($work) = @_;
    my $dir = "$work/pg";
    my $port = free_port();
    my $pass = "$work/pg.pass";
    open my $fh, '>', $pass or die;
    print $fh join('', map { ('a'..'z', 0..9)[rand 36] } 1..24);
    close $fh;
    sh_lib("pg_init " . quote($dir) . " $port " . quote($pass) . " fast && "
           . "pg_start " . quote($dir) . " && "
           . "pg_create_app $port " . quote($pass) . " hub_template && "
           . "pg_migrate $port " . quote($pass) . " hub_template "
           . quote("$TOP/sql") . " >/dev/null");
    return ($dir, $port, $pass);
}

sub psql {
    my ($self, $db, $sql, $user) = @_;
    $user ||= 'hub';
    my $cmd = "pg_psql $self->{pg_port} " . quote($self->{pg_pass})
            . " $user " . quote($db) . " -At -c " . quote($sql);
    my $out = sh_lib($cmd);
    chomp $out;
    return $out;
}

# new(name => 'health', conf => '...extra httpd config (@PORT@: its port)...', private_pg => 0,
#     share => $other_hub)   # a second host on $other_hub's database
sub new {
    my ($class, %o) = @_;
    my $name = $o{name} || basename($0, '.t');
    $name =~ s/[^a-z0-9_]/_/gi;
    my $base = $ENV{HUB_TEST_WORK} || do {
        my $d = tempdir('/tmp/hubtest.XXXXXX', CLEANUP => 0);
        chmod 0755, $d;
        $d;
    };
    my $work = "$base/$name-$$";
    make_path($work);
    chmod 0755, $work;
    my $self = bless { name => lc $name, work => $work, conf => $o{conf} || '',
                       loglevel => $o{loglevel} || 'info',
                       owned_base => !$ENV{HUB_TEST_WORK} ? $base : undef },
                     $class;
    if ($o{share}) {
        # a second httpd host on the first one's database (and cluster):
        # it neither creates nor drops the database
        @$self{qw(pg_port pg_pass)} = @{ $o{share} }{qw(pg_port pg_pass)};
        $self->{db} = $o{share}{db};
        $self->{shared} = 1;
        $self->start;
        return $self;
    }
    if ($o{private_pg} || !$ENV{HUB_TEST_PGPORT}) {
        @$self{qw(pg_dir pg_port pg_pass)} = private_cluster($work);
    }
    else {
        $self->{pg_port} = $ENV{HUB_TEST_PGPORT};
        $self->{pg_pass} = $ENV{HUB_TEST_PGPASS};
    }
    $self->{db} = "t_$self->{name}_$$";
    $self->psql('postgres', "CREATE DATABASE \"$self->{db}\" TEMPLATE hub_template OWNER hub",
                'postgres');
    $self->start;
    return $self;
}

sub db { $_[0]{db} }
sub port { $_[0]{port} }
sub base { "http://127.0.0.1:$_[0]{port}" }
sub error_log_path { "$_[0]{work}/httpd/error.log" }

sub write_conf {
    my ($self) = @_;
    my $rt = "$self->{work}/httpd";
    my $htdocs = "$self->{work}/htdocs";
    make_path($rt, $htdocs);
    chmod 0755, $rt, $htdocs;
    open my $fh, '>', "$htdocs/hello.txt" or die;
    print $fh "hello from httpd\n";
    close $fh;
    chmod 0644, "$htdocs/hello.txt";
    my $pass = do { local (@ARGV, $/) = ($self->{pg_pass}); <> };
    my $dbd = "host=127.0.0.1 port=$self->{pg_port} dbname=$self->{db} "
            . "user=hub password=$pass connect_timeout=2";
    $self->{conf_file} = "$self->{work}/httpd.conf";
    # conf/hub-database.conf opens each child's whole pool at start (what a
    # loaded production host wants); the tests run many httpds against one
    # cluster at once, so theirs start small and grow on demand.  A test's
    # own conf comes after and can set its own.
    my $extra = "DBDMin 1\nDBDKeep 4\n$self->{conf}";
    # a test's own <VirtualHost 127.0.0.1:@PORT@> needs the port it got
    $extra =~ s/\@PORT\@/$self->{port}/g;
    my $cmd = join ' ', 'hub_httpd_conf', map { quote($_) }
        $self->{conf_file}, $rt, $self->{port}, $htdocs, $dbd,
        $self->{loglevel}, $extra;
    sh_lib($cmd);
}

sub start {
    my ($self) = @_;
    for my $attempt (1 .. 3) {
        $self->{port} = free_port();
        $self->write_conf;
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            open STDOUT, '>>', "$self->{work}/httpd.out";
            open STDERR, '>&', \*STDOUT;
            # HUB_VALGRIND=1: one process (-X) under memcheck; the log is
            # checked when the test ends (DESTROY)
            my @vg = $ENV{HUB_VALGRIND}
                ? ('valgrind', '--leak-check=full', '--errors-for-leak-kinds=definite',
                   '--num-callers=30', "--log-file=$self->{work}/valgrind.log")
                : ();
            exec @vg, '/usr/sbin/apache2', '-f', $self->{conf_file},
                 $ENV{HUB_VALGRIND} ? '-X' : '-DFOREGROUND';
            exit 127;
        }
        $self->{pid} = $pid;
        my $deadline = time + ($ENV{HUB_VALGRIND} ? 90 : 15);
        while (time < $deadline) {
            if (waitpid($pid, WNOHANG) == $pid) {
                delete $self->{pid};
                last;
            }
            my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                          PeerPort => $self->{port});
            return 1 if $s;
            sleep 0.05;
        }
        $self->stop_httpd;
        diag("httpd did not start (attempt $attempt):\n" . $self->slurp("$self->{work}/httpd.out")
             . $self->slurp($self->error_log_path));
    }
    BAIL_OUT("httpd would not start");
}

sub stop_httpd {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    kill 'TERM', $pid;
    my $deadline = time + ($ENV{HUB_VALGRIND} ? 60 : 10);
    while (time < $deadline) {
        return if waitpid($pid, WNOHANG) == $pid;
        sleep 0.05;
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
}

# httpd's graceful stop (SIGWINCH): the children finish what they do and
# end as they would at a graceful restart, running their cleanups.
sub stop_graceful {
    my ($self) = @_;
    my $pid = $self->{pid} or return;
    kill 'WINCH', $pid;
    my $deadline = time + 30;
    while (time < $deadline) {
        if (waitpid($pid, WNOHANG) == $pid) { delete $self->{pid}; return 1 }
        sleep 0.05;
    }
    $self->stop_httpd;
    return 0;
}

sub slurp {
    my ($self, $f) = @_;
    open my $fh, '<', $f or return '';
    local $/;
    return <$fh>;
}

# request(METHOD, PATH, body => STRING|REF, json => REF, headers => {...},
#         max_redirect => N (5; 0 to see a redirect))
# -> { status, headers, content, json }
sub request {
    my ($self, $method, $path, %o) = @_;
    my %h = %{ $o{headers} || {} };
    my $content = $o{body};
    if (exists $o{json}) {
        $content = $JSON->encode($o{json});
        $h{'content-type'} //= 'application/json';
    }
    # under valgrind an Argon2 check alone takes many seconds
    my $http = HTTP::Tiny->new(timeout => $ENV{HUB_VALGRIND} ? 300 : 20, keep_alive => 0,
                               max_redirect => $o{max_redirect} // 5);
    my $res = $http->request($method, $self->base . $path,
                             { headers => \%h,
                               defined $content ? (content => $content) : () });
    $res->{json} = eval { $JSON->decode($res->{content}) }
        if ($res->{headers}{'content-type'} // '') =~ m{application/json};
    return $res;
}

sub get { my ($self, $path, %o) = @_; $self->request('GET', $path, %o) }
sub post { my ($self, $path, %o) = @_; $self->request('POST', $path, %o) }

# Error-log lines at error level or worse, and a child's crash (logged
# as a notice: "exit signal Segmentation fault"), that match none of
# @allowed.
sub unexpected_log_errors {
    my ($self, @allowed) = @_;
    my @bad;
    for my $line (split /\n/, $self->slurp($self->error_log_path)) {
        next unless $line =~ /:(error|crit|alert|emerg)\]/
            || $line =~ /exit signal (?!Terminated)/;
        next if grep { $line =~ $_ } @allowed;
        push @bad, $line;
    }
    return @bad;
}

# The test's closing check: no error in the log it did not expect; under
# HUB_VALGRIND also no memory error or definite leak in the httpd run.
sub log_is_clean {
    my ($self, @allowed) = @_;
    $self->valgrind_is_clean if $ENV{HUB_VALGRIND};
    my @bad = $self->unexpected_log_errors(@allowed);
    ok(!@bad, 'error log has no unexpected errors')
        or diag(join "\n", @bad);
}

sub valgrind_is_clean {
    my ($self) = @_;
    $self->stop_httpd;     # valgrind writes its summary when httpd exits
    my $log = "$self->{work}/valgrind.log";
    my $vg = $self->slurp($log);
    my ($errors) = $vg =~ /ERROR SUMMARY: (\d+) errors/;
    my ($lost) = $vg =~ /definitely lost: ([\d,]+) bytes/;
    is($errors, 0, 'valgrind: no memory errors') or diag("see $log");
    is($lost // 0, 0, 'valgrind: nothing definitely lost') or diag("see $log");
}

# FastAPI's answers, as Caylex's tests check them: a 422 whose first
# problem is at $loc (['body', 'name']), and a status with its detail.
sub is_422 {
    my ($r, $loc, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is($r->{status}, 422, "$what: 422");
    is_deeply(ref $r->{json}{detail} eq 'ARRAY' ? $r->{json}{detail}[0]{loc} : undef, $loc,
              "$what: names " . join('.', @$loc)) or diag explain $r->{json};
}
sub is_detail {
    my ($r, $status, $detail, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is($r->{status}, $status, "$what: $status");
    is(ref $r->{json} eq 'HASH' ? $r->{json}{detail} : undef, $detail, "$what: detail") or diag explain $r->{json};
}

# Poll $check (a sub returning true when done) for up to $secs seconds;
# returns the seconds it took, or undef.  For things the hub promises
# "within a few seconds" (revocations seen through the identity cache).
sub eventually {
    my ($secs, $check) = @_;
    my $start = time;
    while (time - $start < $secs) {
        return time - $start if $check->();
        sleep 0.2;
    }
    return $check->() ? time - $start : undef;
}

# tools/hubctl against this test's database; returns its output, chomped.
sub hubctl {
    my ($self, @args) = @_;
    my $cmd = join ' ', map { quote($_) } "$TOP/tools/hubctl",
        '--db-port', $self->{pg_port}, '--db-pass', $self->{pg_pass},
        '--db', $self->{db}, @args;
    my $out = sh_lib($cmd);
    chomp $out;
    return $out;
}

# Set a user's password (tools/hubctl set-password, Argon2id).
sub set_password {
    my ($self, $email, $password) = @_;
    my $cmd = join ' ', map { quote($_) } "$TOP/tools/hubctl",
        '--db-port', $self->{pg_port}, '--db-pass', $self->{pg_pass},
        '--db', $self->{db}, 'set-password', $email;
    open my $fh, '|-', $cmd or die "hubctl: $!";
    print $fh "$password\n";
    close $fh or die "hubctl set-password failed";
}

# A key file for HubJwtKeyFile in dir: returns (path, key).  A function,
# as the file must exist before the hub starts.
sub jwt_key_file {
    my ($dir) = @_;
    my $key = join '', map { ('a'..'z', 'A'..'Z', 0..9)[rand 62] } 1 .. 48;
    my $path = "$dir/jwt.key";
    open my $fh, '>', $path or die;
    print $fh $key;
    close $fh;
    chmod 0600, $path;
    return ($path, $key);
}

# An HS256 JWT of these claims signed with key, as another service (Tool
# Hub's create_access_token) would mint it; header fields may be changed.
sub jwt {
    my ($key, $claims, %header) = @_;
    my $h = encode_base64url($JSON->encode({ alg => 'HS256', typ => 'JWT', %header }));
    my $c = encode_base64url($JSON->encode($claims));
    return "$h.$c." . encode_base64url(hmac_sha256("$h.$c", $key));
}

# A team with an owner and an API key for them: { slug, email, key }.
sub team {
    my ($self, $slug, %o) = @_;
    my $email = $o{email} || "owner\@$slug.test";
    $self->hubctl('create-team', $slug, '--name', $o{name} || "Team $slug",
                  '--owner', $email);
    $self->hubctl('create-user', $email, $o{superuser} ? ('--superuser') : ());
    $self->hubctl('add-member', $slug, $email, $o{role} || 'owner');
    my $key = $self->hubctl('create-key', $slug, '--user', $email,
                            '--scopes', $o{scopes} || 'operator.admin');
    return { slug => $slug, email => $email, key => $key };
}

# For tests with private_pg: stop and start the database under the hub.
sub pg_stop { my $s = shift; sh_lib('pg_stop ' . quote($s->{pg_dir})) }
sub pg_start { my $s = shift; sh_lib('pg_start ' . quote($s->{pg_dir})) }

sub DESTROY {
    my ($self) = @_;
    local ($?, $@);
    $self->stop_httpd;

    if ($self->{shared}) {
        # the database is the other host's
    }
    elsif ($self->{pg_dir}) {
        eval { $self->pg_stop };
    }
    elsif ($self->{db}) {
        eval { $self->psql('postgres', "DROP DATABASE IF EXISTS \"$self->{db}\"",
                           'postgres') };
    }
    remove_tree($self->{owned_base}) if $self->{owned_base} && !$ENV{HUB_KEEP};
}

1;
