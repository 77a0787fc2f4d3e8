# Configuration: mistakes in the hub's directives stop httpd at startup
# (apache2 -t) with a message naming the directive and the line; limits set
# on a <Location> apply there only, and a nested <Location> without HubApi
# keeps its parent's profiles and mount.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use HubTest;

my $hub = HubTest->new(conf => <<'CONF');
HubDiagnostics On
<Location /caylex/api/v1>
    HubMaxBodySize 100
</Location>
<Location /caylex/api/v1/docs>
    HubMaxBodySize 5000
</Location>
<Location /g4f/api/v1/_hub>
    HubMaxBodySize 50
</Location>
CONF

my $conf = $hub->slurp($hub->{conf_file});
my $n = 0;

# apache2 -t on the generated configuration with `extra` appended:
# (exit status, output, line number of the first appended line)
sub config_test {
    my ($extra) = @_;
    my $file = "$hub->{work}/variant-" . ++$n . '.conf';
    open my $fh, '>', $file or die "$file: $!";
    print $fh $conf, "\n", $extra, "\n";
    close $fh;
    my $first = 1 + (() = "$conf\n" =~ /\n/g);
    my $out = `/usr/sbin/apache2 -t -f '$file' 2>&1`;
    return ($? >> 8, $out, $first, $file);
}

# the configuration as generated is sound: the failures below are the
# appended lines' doing
my ($rc, $out) = config_test('');
is($rc, 0, 'the generated configuration passes apache2 -t') or diag($out);
like($out, qr/Syntax OK/, 'Syntax OK');

# [extra config, offset of the faulty line in it, what the message says]
my @bad = (
    [ "<Location /x>\n    HubApi nosuch\n</Location>", 1,
      qr/HubApi: unknown profile 'nosuch'.*patchwork.*g4f/s, 'HubApi nosuch' ],
    [ "<Location /x>\n    HubApi goclaw nosuch\n</Location>", 1,
      qr/unknown profile 'nosuch'/, 'an unknown profile after a good one' ],
    [ "<Location /x>\n    HubApi\n</Location>", 1,
      qr/HubApi requires at least one argument/, 'HubApi without a profile' ],
    [ "HubApi goclaw", 0, qr/HubApi not allowed here|HubApi belongs in a <Location>/,
      'HubApi in server context' ],
    [ "<Directory /tmp>\n    HubApi goclaw\n</Directory>", 1,
      qr/HubApi belongs in a <Location>/, 'HubApi in a <Directory>' ],
    [ "<LocationMatch ^/x>\n    HubApi goclaw\n</LocationMatch>", 1,
      qr/HubApi belongs in a <Location>/, 'HubApi in a <LocationMatch>' ],
    [ "<Location ~ \"^/x\">\n    HubApi goclaw\n</Location>", 1,
      qr/HubApi belongs in a <Location>/, 'HubApi in a regex <Location ~>' ],
    # a regular expression or wildcard is no plain prefix, even when it
    # starts with a slash
    [ "<Location ~ \"/re/.*\">\n    HubApi goclaw\n</Location>", 1,
      qr/HubApi belongs in a <Location> with a plain path prefix/,
      'HubApi in <Location ~ "/re/.*">' ],
    [ "<Location /wild/*>\n    HubApi goclaw\n</Location>", 1,
      qr/HubApi belongs in a <Location> with a plain path prefix/,
      'HubApi in a wildcard <Location /wild/*>' ],
    [ "HubMaxBodySize 0", 0, qr/HubMaxBodySize must be a number of bytes/,
      'HubMaxBodySize 0' ],
    [ "HubMaxBodySize abc", 0, qr/HubMaxBodySize must be a number of bytes/,
      'HubMaxBodySize abc' ],
    [ "HubMaxBodySize -5", 0, qr/HubMaxBodySize must be a number of bytes/,
      'HubMaxBodySize -5' ],
    [ "HubMaxBodySize 1k", 0, qr/HubMaxBodySize must be a number of bytes/,
      'HubMaxBodySize 1k' ],
    [ "HubMaxBodySize 2147483648", 0, qr/HubMaxBodySize must be a number of bytes/,
      'HubMaxBodySize 2^31' ],
    [ "<Location /caylex/api/v1>\n    HubMaxBodySize 0\n</Location>", 1,
      qr/HubMaxBodySize must be a number of bytes/, 'HubMaxBodySize 0 in a Location' ],
    [ "HubMaxJsonDepth 0", 0, qr/HubMaxJsonDepth must be from 1 to 1000/,
      'HubMaxJsonDepth 0' ],
    [ "HubMaxJsonDepth abc", 0, qr/HubMaxJsonDepth must be from 1 to 1000/,
      'HubMaxJsonDepth abc' ],
    [ "HubMaxJsonDepth 1001", 0, qr/HubMaxJsonDepth must be from 1 to 1000/,
      'HubMaxJsonDepth 1001' ],
    # a number with rubbish after it is as wrong as HubMaxBodySize's 1k
    [ "HubMaxJsonDepth 12abc", 0, qr/HubMaxJsonDepth must be from 1 to 1000/,
      'HubMaxJsonDepth 12abc' ],
    [ "HubMaxJsonDepth 4294967304", 0, qr/HubMaxJsonDepth must be from 1 to 1000/,
      'HubMaxJsonDepth 2^32+8 (does not wrap to 8)' ],
    [ "HubDiagnostics maybe", 0, qr/HubDiagnostics must be On or Off/,
      'HubDiagnostics maybe' ],
    [ "HubCallsRetention -1", 0, qr/HubCallsRetention must be a number of days from 0/,
      'HubCallsRetention -1' ],
    [ "HubCallsRetention 30d", 0, qr/HubCallsRetention must be a number of days from 0/,
      'HubCallsRetention 30d' ],
    # 0 turns the streams off; below is wrong
    [ "<Location /mcp2>\n    HubMcpStreams -1\n</Location>", 1,
      qr/HubMcpStreams must be a number from 0 to 100000/, 'HubMcpStreams -1' ],
    [ "<Location /mcp2>\n    HubMcpStreamTimeout 0\n</Location>", 1,
      qr/HubMcpStreamTimeout must be a number of seconds from 1 to 86400/,
      'HubMcpStreamTimeout 0' ],
);
for my $case (@bad) {
    my ($extra, $offset, $msg, $what) = @$case;
    my ($rc, $out, $first, $file) = config_test($extra);
    isnt($rc, 0, "$what: apache2 -t fails") or next;
    like($out, $msg, "$what: the message says why");
    my $line = $first + $offset;
    like($out, qr/Syntax error on line \Q$line\E of \Q$file\E/,
         "$what: the message names line $line") or diag($out);
}

# the good forms pass
for my $good ("<Location /x>\n    HubApi goclaw caylex\n</Location>",
              "<Location /x>\n    HubApi GoClaw\n    HubMaxBodySize 1\n"
              . "    HubMaxJsonDepth 1000\n</Location>",
              "HubMaxBodySize 2147483647\nHubMaxJsonDepth 1\nHubDiagnostics Off") {
    my ($rc, $out) = config_test($good);
    is($rc, 0, "accepted: " . join(' | ', split /\n\s*/, $good)) or diag($out);
}

# --- a Location's limits apply there, and only there --------------------
sub body_of {
    my ($size) = @_;
    my $pre = '{"name":"x","meta":{"pad":"';
    my $post = '"}}';
    return $pre . ('q' x ($size - length($pre) - length($post))) . $post;
}
my $CT = { 'content-type' => 'application/json' };

my $r = $hub->post('/caylex/api/v1/_hub/caylex/echo', body => body_of(200), headers => $CT);
is($r->{status}, 413, 'caylex: 200 bytes over its Location limit of 100');
is(ref $r->{json}, 'HASH', 'caylex 413 is JSON');
like($r->{json}{detail} // '', qr/\b100 bytes\b/, 'caylex 413 envelope names the limit');
$r = $hub->post('/caylex/api/v1/_hub/caylex/echo', body => body_of(100), headers => $CT);
is($r->{status}, 200, 'caylex: 100 bytes accepted');

for my $p (qw(patchwork goclaw toolhub)) {
    $r = $hub->post("/_hub/$p/echo", body => body_of(200), headers => $CT);
    is($r->{status}, 200, "$p at the root still accepts 200 bytes");
}
$r = $hub->post('/_hub/goclaw/echo', body => body_of(1048576 + 1), headers => $CT);
is($r->{status}, 413, 'the root keeps the default limit of 1 MiB');

# a nested Location without HubApi: its own limit, the parent's profile
$r = $hub->post('/g4f/api/v1/_hub/g4f/echo', body => body_of(60), headers => $CT);
is($r->{status}, 413, 'g4f: nested Location limit of 50 applies');
is($r->{json}{error}{code}, 'PAYLOAD_TOO_LARGE', 'in the g4f envelope');
is($r->{json}{error}{request_id}, $r->{headers}{'x-request-id'}, 'with the request id');
like($r->{json}{error}{message} // '', qr/\b50 bytes\b/, 'naming the limit of 50');
$r = $hub->post('/g4f/api/v1/_hub/g4f/echo', body => body_of(50), headers => $CT);
is($r->{status}, 200, 'g4f: 50 bytes accepted');
$r = $hub->get('/g4f/api/v1/capabilities');
is($r->{json}{limits}{max_body_bytes}, 1048576, 'g4f outside the nested Location: default limit');
is($hub->get('/g4f/api/v1/')->{json}{base_path}, '/g4f/api/v1', 'g4f mount unchanged');

# caylex /docs sits in a nested Location of its own
$r = $hub->get('/caylex/api/v1/docs');
is($r->{status}, 200, 'caylex /docs answers from its nested Location');
is($r->{json}{endpoints}{openapi_json}, $hub->base . '/caylex/api/v1/docs/openapi.json',
   'links are relative to the mount, not the nested Location');
$r = $hub->get('/caylex/api/v1/docs/openapi.json');
is($r->{status}, 200, 'caylex openapi.json in the nested Location');
is($r->{json}{servers}[0]{url}, $hub->base . '/caylex/api/v1', 'servers[0].url is the mount');
ok($r->{json}{paths}{'/docs/openapi.yaml'} && $r->{json}{paths}{'/_hub/caylex/echo'},
   'the nested Location serves the caylex document, diagnostics inherited');
is($hub->get('/caylex/api/v1/docs/openapi.yaml')->{status}, 200, 'openapi.yaml answers');
is($hub->get('/caylex/api/v1/health')->{status}, 200, 'caylex health');
is($hub->get('/caylex/api/v1/docs/nosuch')->{status}, 404, 'no hub route: httpd 404');

$hub->log_is_clean;
done_testing;
