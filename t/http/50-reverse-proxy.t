# Behind a reverse proxy (a real mod_proxy front, here a virtual host of
# the same httpd proxying to the hub's), the links the hub hands out name
# the address clients use, not the back end's:
#  - with httpd's own means: a back end whose ServerName carries the public
#    scheme, host and port, and UseCanonicalName On (ap_construct_url);
#  - with HubPublicUrl, which also adds a path prefix.
# Without either, the back end's address shows (what the operator fixes).
# The gateway accepts browser requests from the public origin.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use HubTest;

my $mounts = "$HubTest::TOP/conf/hub-mounts.conf";
my $hub = HubTest->new(conf => <<CONF);
LoadModule proxy_module \${HUB_SYSTEM_MODULES_DIR}/mod_proxy.so
LoadModule proxy_http_module \${HUB_SYSTEM_MODULES_DIR}/mod_proxy_http.so
LoadModule headers_module \${HUB_SYSTEM_MODULES_DIR}/mod_headers.so
# back end A: httpd knows its public name
<VirtualHost 127.0.0.1:\@PORT\@>
    ServerName https://hub.public.test:8443
    ServerAlias backend-a.test
    UseCanonicalName On
    Include "$mounts"
</VirtualHost>
# back end B: HubPublicUrl says it
<VirtualHost 127.0.0.1:\@PORT\@>
    ServerName backend-b.test
    HubPublicUrl https://api.example.test/hub/
    Include "$mounts"
</VirtualHost>
# the fronts: reverse proxies to each back end, and one to the default host
<VirtualHost 127.0.0.1:\@PORT\@>
    ServerName front-a.test
    ProxyPreserveHost On
    RequestHeader set Host backend-a.test
    ProxyPass / http://127.0.0.1:\@PORT\@/
</VirtualHost>
<VirtualHost 127.0.0.1:\@PORT\@>
    ServerName front-b.test
    ProxyPreserveHost On
    RequestHeader set Host backend-b.test
    ProxyPass / http://127.0.0.1:\@PORT\@/
</VirtualHost>
<VirtualHost 127.0.0.1:\@PORT\@>
    ServerName front-plain.test
    ProxyPass / http://127.0.0.1:\@PORT\@/
</VirtualHost>
CONF
my $port = $hub->port;

# HTTP::Tiny will not send another Host: a plain HTTP/1.0 exchange does
sub via {
    my ($host, $method, $path, %h) = @_;
    my $body = delete $h{body} // '';
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Timeout => 10) or die "connect: $!";
    print $s "$method $path HTTP/1.0\r\nHost: $host\r\n",
             (map { "$_: $h{$_}\r\n" } sort keys %h),
             "Content-Length: " . length($body) . "\r\n\r\n$body";
    local $/;
    my $raw = <$s>;
    my ($head, $content) = split /\r\n\r\n/, $raw, 2;
    my ($status) = $head =~ m{^HTTP/\S+ (\d+)};
    my $json = eval { $HubTest::JSON->decode($content) };
    return { status => $status, content => $content // '', json => $json };
}
sub servers_url {
    my ($host) = @_;
    my $d = via($host, GET => '/caylex/api/v1/docs/openapi.json');
    return $d->{json} ? $d->{json}{servers}[0]{url} : "status $d->{status}";
}
sub root_links {
    my ($host) = @_;
    my $r = via($host, GET => '/api/');
    return $r->{json} ? $r->{json}{versions}{v1} . ' ' . $r->{json}{documentation}
                      : "status $r->{status}";
}

# the default host straight: its own address (nothing to fix)
is(servers_url("127.0.0.1:$port"), "http://127.0.0.1:$port/caylex/api/v1",
   'straight to the hub: its own address');

# a front that tells the back end nothing: the back end's address leaks
is(servers_url('front-plain.test'), "http://127.0.0.1:$port/caylex/api/v1",
   'behind a plain proxy the back end\'s address shows (the case to fix)');

# A: ServerName with scheme and port, UseCanonicalName On
is(servers_url('front-a.test'), 'https://hub.public.test:8443/caylex/api/v1',
   'A: OpenAPI servers from ServerName https://...:8443 and UseCanonicalName On');
is(root_links('front-a.test'),
   'https://hub.public.test:8443/api/v1/ https://hub.public.test:8443/api/openapi.json',
   'A: Patchwork\'s root links too');

# B: HubPublicUrl with a path
is(servers_url('front-b.test'), 'https://api.example.test/hub/caylex/api/v1',
   'B: OpenAPI servers from HubPublicUrl, its path before the mount');
is(root_links('front-b.test'),
   'https://api.example.test/hub/api/v1/ https://api.example.test/hub/api/openapi.json',
   'B: Patchwork\'s root links too');

# the gateway: a browser page of the public origin may call, another not
my $t = $hub->team('acme');
my %rpc = ('Content-Type' => 'application/json',
           Accept => 'application/json, text/event-stream',
           Authorization => "Bearer $t->{key}",
           body => '{"jsonrpc":"2.0","id":1,"method":"ping"}');
my $inst = '/mcp/00000000-0000-4000-8000-000000000000';
isnt(via('front-b.test', POST => $inst, %rpc, Origin => 'https://api.example.test')->{status},
     403, 'B: the gateway takes a browser request from the public origin');
is(via('front-b.test', POST => $inst, %rpc, Origin => 'https://evil.example')->{status},
   403, 'and refuses another site\'s');
isnt(via('front-a.test', POST => $inst, %rpc, Origin => 'https://hub.public.test:8443')->{status},
     403, 'A: the canonical origin is the public one');
$hub->log_is_clean;
done_testing;
