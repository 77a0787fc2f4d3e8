# The hub is one site among others of an httpd: its mounts
# (conf/hub-mounts.conf) are included inside the <VirtualHost> that serves
# it, and another virtual host of the same server and address answers as
# itself — no /health, no profile API, no MCP gateway of the hub there.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use HubTest;

my $hub = HubTest->new(conf => <<'CONF');
<VirtualHost 127.0.0.1:@PORT@>
    ServerName other.test
    DocumentRoot "/usr/share/apache2/default-site"
    <Directory "/usr/share/apache2/default-site">
        Require all granted
    </Directory>
</VirtualHost>
CONF
my $t = $hub->team('acme');

# HTTP::Tiny will not send another Host: a plain HTTP/1.0 exchange does
sub other {
    my ($method, $path, %h) = @_;
    my $body = delete $h{body} // '';
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $hub->port,
                                  Timeout => 10) or die "connect: $!";
    print $s "$method $path HTTP/1.0\r\nHost: other.test\r\n",
             (map { "$_: $h{$_}\r\n" } sort keys %h),
             "Content-Length: " . length($body) . "\r\n\r\n$body";
    local $/;
    my $raw = <$s>;
    my ($head, $content) = split /\r\n\r\n/, $raw, 2;
    my ($status) = $head =~ m{^HTTP/\S+ (\d+)};
    my ($type) = $head =~ m{^Content-Type:\s*(\S+)}mi;
    return { status => $status, type => $type // '', content => $content // '' };
}

my $h = $hub->get('/health');
is($h->{status}, 200, 'the hub host answers /health');
ok($h->{json} && exists $h->{json}{status}, 'with the hub\'s JSON');
my $bearer = "Bearer $t->{key}";
is($hub->get('/api/v1/servers/', headers => { Authorization => $bearer })->{status}, 200,
   'and its Patchwork API');
is($hub->get('/caylex/api/v1/analytics/health')->{status}, 200, 'and its Caylex mount');

my $o = other(GET => '/health');
is($o->{status}, 404, 'the other virtual host has no /health');
unlike($o->{type}, qr/json/, 'nor any hub JSON');
is(other(GET => '/api/v1/servers/', Authorization => $bearer)->{status}, 404,
   'nor the Patchwork API, with a valid key');
is(other(GET => '/caylex/api/v1/analytics/health')->{status}, 404, 'nor the Caylex mount');
like(other(GET => '/')->{content}, qr/<html/i, 'it serves its own site');
my $m = other(POST => '/mcp/00000000-0000-4000-8000-000000000000',
              'Content-Type' => 'application/json',
              Accept => 'application/json, text/event-stream',
              body => '{"jsonrpc":"2.0","id":1,"method":"ping"}');
isnt($m->{status}, 401, 'nor the MCP gateway (no hub authentication asked)');
unlike($m->{content}, qr/jsonrpc/, 'and no JSON-RPC answer');
$hub->log_is_clean;
done_testing;
