package HubMcp;
# Real MCP servers on free loopback ports for the tests in t/mcp/, and the
# hub's MCP client (t/unit/mcp-probe) to probe them.
#
#   my $s = HubMcp::everything();            # server-everything, /mcp
#   my $s = HubMcp::node_server('stateless.mjs', TOOLS => 9, PAGE => 4);
#   my $s = HubMcp::canned(sub { my ($req) = @_; return HubMcp::http(200,
#               'text/plain', 'hello') });   # a Perl socket, for failures
#   my ($r, $exit) = HubMcp::probe($s->{url}, '--allow', '127.0.0.0/8');
#   $s->stop;                                # also when it goes out of scope
#
# The npm packages come from $HUB_NODE_MODULES (t/run-tests sets it to the
# build tree's install of t/mcp/package.json).  A test that needs them and
# finds node, the npm peers or mcp-probe missing fails, saying what is
# missing and how to get it (./tools/hub test installs and builds all
# three); only HUB_TEST_NO_MCP=1 turns that into a skip, with the reason.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(:sys_wait_h);
use Test::More;
use Time::HiRes qw(sleep time);

our $TOP = $ENV{HUB_TOP} || abs_path(dirname(__FILE__) . '/../..');
our $BUILD = $ENV{HUB_BUILD_DIR} || "$TOP/build";
our $NODE_MODULES = $ENV{HUB_NODE_MODULES} || "$BUILD/node/node_modules";
our $PROBE = "$BUILD/t/unit/mcp-probe";
our $JSON = JSON::PP->new->canonical->allow_nonref;

# What a real-MCP test needs and does not have: a list of
# [what is missing, how to get it].
sub missing_peers {
    my @miss;
    push @miss, ["node is not installed",
                 "./tools/hub test installs nodejs and npm"]
        unless system('node -v >/dev/null 2>&1') == 0;
    push @miss, ["no npm MCP peers in $NODE_MODULES",
                 "./tools/hub test installs t/mcp/package.json into $BUILD/node"]
        unless -d "$NODE_MODULES/\@modelcontextprotocol/server-everything";
    push @miss, ["mcp-probe is not built ($PROBE)",
                 "./tools/hub test builds it (make check-programs)"]
        unless -x $PROBE;
    return @miss;
}

# Call first in a test that talks to real MCP peers: when something is
# missing the file fails (one failed test naming what and how to get it),
# or is skipped with the reason when HUB_TEST_NO_MCP is set.  Never a
# silent pass.
sub require_peers {
    my @miss = missing_peers() or return;
    my $what = join('; ', map { $_->[0] } @miss);
    if ($ENV{HUB_TEST_NO_MCP}) {
        plan skip_all => "$what (HUB_TEST_NO_MCP is set)";
    }
    plan tests => 1;
    fail("the real MCP peers this test needs are here");
    diag("missing: $_->[0]\n  to get it: $_->[1]") for @miss;
    diag("set HUB_TEST_NO_MCP=1 to skip the real-MCP tests instead");
    exit 0;     # Test::More makes it 1: one test, failed
}

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0) or die "no port: $!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub work_dir { return tempdir('hub-mcp-XXXXXX', TMPDIR => 1, CLEANUP => 1) }

sub wait_port {
    my ($port, $pid, $secs) = @_;
    my $until = time + ($secs || 15);
    while (time < $until) {
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 1);
        if ($s) { close $s; return 1 }
        return 0 if waitpid($pid, WNOHANG) == $pid;
        sleep 0.05;
    }
    return 0;
}

sub spawn {
    my ($port, $env, @cmd) = @_;
    my $dir = work_dir();
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        $ENV{$_} = $env->{$_} for keys %$env;
        open STDOUT, '>', "$dir/out.log";
        open STDERR, '>&', \*STDOUT;
        exec @cmd or POSIX::_exit(127);
    }
    my $self = bless { pid => $pid, port => $port, dir => $dir }, __PACKAGE__;
    if (!wait_port($port, $pid)) {
        my $log = do { local (@ARGV, $/) = ("$dir/out.log"); <> } // '';
        $self->stop;
        die "@cmd did not listen on $port:\n$log";
    }
    return $self;
}

# The reference server of the 2025 era: 13 tools on /mcp.
sub everything {
    my $port = free_port();
    my $s = spawn($port, { PORT => $port }, 'node',
                  "$NODE_MODULES/\@modelcontextprotocol/server-everything/dist/index.js",
                  'streamableHttp');
    $s->{url} = "http://127.0.0.1:$port/mcp";
    return $s;
}

# One of our SDK-built servers in t/mcp/servers/, with its settings.
sub node_server {
    my ($script, %env) = @_;
    # PORT => N puts a new server where an old one was (a server restarted)
    my $port = $env{PORT} // free_port();
    my $s = spawn($port, { %env, PORT => $port, HUB_NODE_MODULES => $NODE_MODULES },
                  'node', "$TOP/t/mcp/servers/$script");
    $s->{url} = "http://127.0.0.1:$port/mcp";
    $s->{base} = "http://127.0.0.1:$port";
    return $s;
}

# The official SDK client (t/mcp/clients/sdk-client.mjs) run with a plan;
# returns what it printed, decoded (undef and a diag when it printed none).
# (client => 'sdk2': the v2 client of 2026-07-28, sdk2-client.mjs)
sub sdk_client {
    return sdk_client_finish(sdk_client_start($_[0]));
}

# sdk_client_start(PLAN) -> handle: the client running while the test
# goes on (a wait_changed step writes its ready file); sdk_client_finish
# (handle) -> its output, as sdk_client's.
sub sdk_client_start {
    my ($plan) = @_;
    my $script = ($plan->{client} // 'sdk') . '-client.mjs';
    local $ENV{HUB_NODE_MODULES} = $NODE_MODULES;
    open my $fh, '-|', 'node', "$TOP/t/mcp/clients/$script", $JSON->encode($plan)
        or die "node: $!";
    return $fh;
}

sub sdk_client_finish {
    my ($fh) = @_;
    my $out = do { local $/; <$fh> };
    close $fh;
    my $r = eval { $JSON->decode($out // '') };
    Test::More::diag("sdk-client printed: " . ($out // '')) unless $r;
    return $r;
}

# A raw HTTP answer for canned().
sub http {
    my ($status, $type, $body, @headers) = @_;
    my $h = "HTTP/1.1 $status X\r\nConnection: close\r\n"
          . "Content-Length: " . length($body) . "\r\n";
    $h .= "Content-Type: $type\r\n" if defined $type;
    $h .= "$_\r\n" for @headers;
    return "$h\r\n$body";
}

# A JSON-RPC message as an HTTP answer.
sub http_json {
    my ($status, $msg, @headers) = @_;
    return http($status, 'application/json', $JSON->encode($msg), @headers);
}

sub read_request {
    my ($c) = @_;
    my ($head, $buf) = ('', '');
    while ($head !~ /\r\n\r\n/) {
        my $n = sysread($c, $buf, 4096);
        return undef unless $n;
        $head .= $buf;
    }
    my ($h, $body) = split /\r\n\r\n/, $head, 2;
    my ($len) = $h =~ /^content-length:\s*(\d+)/im;
    while (length($body) < ($len // 0)) {
        my $n = sysread($c, $buf, 4096) or last;
        $body .= $buf;
    }
    my ($method, $path) = $h =~ /^(\S+)\s+(\S+)/;
    my %hdr = map { /^([^:]+):\s*(.*)$/ ? (lc $1 => $2) : () } split /\r\n/, $h;
    my $rpc = eval { $JSON->decode($body) };
    return { method => $method, path => $path, headers => \%hdr,
             body => $body, rpc => $rpc };
}

# A Perl server on a free loopback port that answers each request with
# $answer->($request) (a raw HTTP answer from http()/http_json(), or undef
# to stay silent for ever).  Every request is appended to $s->{log} as JSON.
sub canned {
    my ($answer) = @_;
    my $listen = IO::Socket::INET->new(Listen => 16, LocalAddr => '127.0.0.1',
                                       LocalPort => 0, ReuseAddr => 1)
        or die "listen: $!";
    my $port = $listen->sockport;
    my $dir = work_dir();
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        my @held;
        while (my $c = $listen->accept) {
            open my $log, '>>', "$dir/requests.log";
            my $req = read_request($c);
            print $log $JSON->encode($req ? { %$req, rpc => undef,
                                              rpc_method => $req->{rpc}
                                              && ref $req->{rpc} eq 'HASH'
                                              ? $req->{rpc}{method} : undef }
                                          : { connected => 1 }), "\n";
            close $log;
            my $out = $req ? $answer->($req) : undef;
            if (!defined $out) { push @held, $c; next }
            syswrite($c, $out);
            close $c;
        }
        POSIX::_exit(0);
    }
    close $listen;
    return bless { pid => $pid, port => $port, dir => $dir,
                   url => "http://127.0.0.1:$port/mcp",
                   log => "$dir/requests.log" }, __PACKAGE__;
}

# The requests a canned server or a LOG-ing node server has seen.
sub requests {
    my ($self, $file) = @_;
    $file //= $self->{log};
    return [] unless -e $file;
    open my $fh, '<', $file or die "$file: $!";
    return [ map { $JSON->decode($_) } grep { /\S/ } <$fh> ];
}

sub stop {
    my ($self) = @_;
    return unless $self->{pid};
    kill 'INT', $self->{pid};
    my $until = time + 5;
    while (time < $until) {
        last if waitpid($self->{pid}, WNOHANG) == $self->{pid};
        sleep 0.05;
    }
    if (kill 0, $self->{pid}) {
        kill 'KILL', $self->{pid};
        waitpid($self->{pid}, 0);
    }
    delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

# Run the hub's MCP client: (decoded result, exit status, seconds taken).
sub probe {
    my (@args) = @_;
    my $t0 = time;
    open(my $fh, '-|', $PROBE, @args) or die "$PROBE: $!";
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    my $exit = $? >> 8;
    my $r = eval { $JSON->decode($out) };
    diag("mcp-probe printed no JSON: $out") unless $r;
    return ($r || {}, $exit, time - $t0);
}

sub tool_names { return [ map { $_->{name} } @{ $_[0]{tools} || [] } ] }

1;
