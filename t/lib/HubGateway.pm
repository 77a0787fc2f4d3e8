# What the gateway's tests share: upstream servers registered and probed,
# a project, a navigator connected to it, and the instance's key.
package HubGateway;
use strict;
use warnings;
use Test::More;
use HubTest;

my $CX = '/caylex/api/v1';
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }

# register(HUB, KEY, { name, endpoint } | { name, command, args }) -> id,
# waiting until the prober has listed its tools
sub register {
    my ($hub, $key, $s) = @_;
    my $r = $s->{command}
        ? $hub->post('/api/mcp/servers', auth($key), json => $s)
        : $hub->post('/api/v1/servers/', auth($key), json => $s);
    is($r->{status}, 201, "server $s->{name} registered") or diag(explain($r->{json}));
    my $id = $r->{json}{id};
    ok(HubTest::eventually(40, sub {
        $hub->psql($hub->db, "SELECT health_status FROM servers WHERE id = '$id'") eq 'healthy' }),
       "  and probed healthy")
        or diag($hub->psql($hub->db, "SELECT last_error FROM servers WHERE id = '$id'"));
    return $id;
}

# navigator(HUB, KEY, SERVER_IDS...) -> { project, navigator, instance, key, path }
sub navigator {
    my ($hub, $key, @servers) = @_;
    my $cx = sub { my ($m, $p, @o) = @_; $hub->request($m, "$CX$p", auth($key), @o) };
    my %g;
    $g{project} = $cx->(POST => '/projects', json => { name => 'Agents ' . int rand 1e6 })->{json}{id};
    for my $s (@servers) {
        $cx->(POST => "/servers/$s/connections", json => { project_ids => [$g{project}] });
    }
    $g{navigator} = $cx->(POST => '/navigators', json => { name => 'Support Bot ' . int rand 1e6 })->{json}{id};
    $cx->(POST => "/navigators/$g{navigator}/connections", json => { project_ids => [$g{project}] });
    # every project of the tenant is listed, connected or not: ours
    ($g{instance}) = map { $_->{navigator_instance_id} }
        grep { $_->{project_id} eq $g{project} }
        @{ $cx->(GET => "/navigators/$g{navigator}/connections")->{json}{connections} };
    $g{key} = $cx->(POST => "/navigator-instances/$g{instance}/api-keys", json => { name => 'agent' })->{json}{key};
    ok($g{instance} && $g{key}, 'a navigator instance on the project, with its key')
        or diag(explain({ %g, connections => $cx->(GET => "/navigators/$g{navigator}/connections")->{json} }));
    $g{path} = "/mcp/$g{instance}";
    return \%g;
}

# A response read as it streams (the gateway's event streams), over a raw
# HTTP/1.0 connection so that it comes unchunked, until the hub closes it.
#   my $st = HubGateway::Stream->open($hub, GET => $path, { headers }, $body);
#   $st->{status}, $st->{headers}{'content-type'}
#   my $ev = $st->next_event(5);    # { id, event, retry, data, json } or undef
#   $st->ended_within(10)           # the hub closed the stream in time
package HubGateway::Stream;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use Time::HiRes qw(time);

sub open {
    my ($class, $hub, $method, $path, $headers, $body) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $hub->port,
                                     Timeout => 5) or die "connect: $!";
    my $req = "$method $path HTTP/1.0\r\nHost: 127.0.0.1\r\n";
    $req .= "$_: $headers->{$_}\r\n" for sort keys %{ $headers || {} };
    $req .= "Content-Type: application/json\r\nContent-Length: " . length($body) . "\r\n"
        if defined $body;
    syswrite $sock, $req . "\r\n" . ($body // '');
    my $self = bless { sock => $sock, sel => IO::Select->new($sock), buf => '',
                       closed => 0, keepalives => 0 }, $class;
    my $deadline = time + 15;
    $self->_fill($deadline - time) until $self->{buf} =~ /\r\n\r\n/ || $self->{closed} || time > $deadline;
    my ($head, $rest) = split /\r\n\r\n/, $self->{buf}, 2;
    my ($status_line, @lines) = split /\r\n/, $head // '';
    ($self->{status}) = ($status_line // '') =~ m{^HTTP/\S+ (\d+)};
    $self->{status} //= 0;
    for (@lines) { my ($k, $v) = /^([^:]+):\s*(.*)$/ or next; $self->{headers}{lc $k} = $v }
    $self->{buf} = $rest // '';
    return $self;
}

sub _fill {
    my ($self, $t) = @_;
    return 0 if $self->{closed} || $t <= 0 || !$self->{sel}->can_read($t);
    my $n = sysread($self->{sock}, my $chunk, 65536);
    if (!$n) { $self->{closed} = 1; return 0 }
    $self->{buf} .= $chunk;
    return 1;
}

# The next event within t seconds (keep-alive comments counted, not
# returned); undef when none came or the stream ended.
sub next_event {
    my ($self, $t) = @_;
    my $deadline = time + $t;
    while (1) {
        while ($self->{buf} =~ s/^(.*?)\n\n//s) {
            my (%e, @data);
            for my $line (split /\n/, $1) {
                if ($line =~ /^:/) { $self->{keepalives}++; next }
                my ($f, $v) = $line =~ /^([^:]*):? ?(.*)$/;
                if ($f eq 'data') { push @data, $v } else { $e{$f} = $v }
            }
            next unless @data || defined $e{id};
            $e{data} = join "\n", @data;
            $e{json} = eval { decode_json($e{data}) } if length $e{data};
            return \%e;
        }
        my $left = $deadline - time;
        return undef if $left <= 0 || $self->{closed};
        $self->_fill($left);
    }
}

# Whether the hub ends the stream within t seconds (what came before the
# end is kept for next_event).
sub ended_within {
    my ($self, $t) = @_;
    my $deadline = time + $t;
    $self->_fill($deadline - time) while !$self->{closed} && time < $deadline;
    return $self->{closed};
}

sub close { my $self = shift; CORE::close($self->{sock}) if $self->{sock}; delete $self->{sock} }

1;
