# The hub's MCP client against the reference server of the 2025 era,
# @modelcontextprotocol/server-everything from npm: the era it negotiates,
# every tool with its schema, and the end of the session.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use HubMcp;

HubMcp::require_peers();

my $ev = HubMcp::everything();
my ($r, $exit) = HubMcp::probe($ev->{url}, '--allow', '127.0.0.0/8');

is($exit, 0, 'mcp-probe exits 0 when the tools were listed');
ok($r->{ok}, 'ok') or diag($r->{error});
is($r->{error}, undef, 'no error');
is($r->{unauthorized}, JSON::PP::false, 'not unauthorized');
is($r->{http_status}, 200, 'the last answer was 200');
is($r->{protocol_version}, '2025-11-25',
   'server-everything has no server/discover: the initialize era, 2025-11-25');
is($r->{server_name}, 'mcp-servers/everything', 'server name from initialize');
like($r->{server_version} // '', qr/^\d+\.\d+/, 'server version from initialize');

my @names = @{ HubMcp::tool_names($r) };
is(scalar @names, 13, 'all 13 tools of server-everything') or diag("@names");
for my $want (qw(echo get-sum get-env get-tiny-image trigger-long-running-operation)) {
    ok((grep { $_ eq $want } @names), "tool $want listed");
}
my %seen;
is(scalar(grep { !$seen{$_}++ } @names), 13, 'no tool listed twice');
is(scalar(grep { ($_->{inputSchema}{type} // '') eq 'object' } @{ $r->{tools} }), 13,
   'every tool has an object inputSchema, as the server gave it');
my ($echo) = grep { $_->{name} eq 'echo' } @{ $r->{tools} };
is($echo->{inputSchema}{properties}{message}{type}, 'string',
   'echo: its "message" property is a string');
is_deeply($echo->{inputSchema}{required}, ['message'], 'echo: message required');
like($echo->{description} // '', qr/echo/i, 'echo: description kept');
ok($r->{session_deleted}, 'the session was ended with DELETE (answered 2xx)');
ok($r->{latency_ms} > 0 && $r->{latency_ms} < 10000, "latency measured ($r->{latency_ms} ms)");

# A second probe is independent of the first (a new session each time).
my ($r2) = HubMcp::probe($ev->{url}, '--allow', '127.0.0.0/8');
ok($r2->{ok}, 'a second probe works too');
is(scalar @{ HubMcp::tool_names($r2) }, 13, 'and lists the same 13 tools');

# Auth headers are sent as given (server-everything ignores them) and never
# show up in the result.
my ($r3) = HubMcp::probe($ev->{url}, '--allow', '127.0.0.0/8',
                         '--header', 'Authorization: Bearer s3cr3t-token-value');
ok($r3->{ok}, 'a probe with an auth header works');
unlike($HubMcp::JSON->encode($r3), qr/s3cr3t/, 'the header value is nowhere in the result');

$ev->stop;
done_testing();
