# GoClaw's gateway token: admin access from a token in a file named by
# HubGatewayToken; without one, GoClaw routes need an API key unless the
# operator explicitly turns authentication off (and is warned).
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HubTest;

my $dir = tempdir(CLEANUP => 1);
my $token = 'gw-' . join('', map { ('a'..'z', 0..9)[rand 36] } 1 .. 40);
open my $fh, '>', "$dir/gateway.token" or die;
print $fh "$token\n";
close $fh;
chmod 0600, "$dir/gateway.token";   # read by root at startup only

my $hub = HubTest->new(conf => "HubGatewayToken $dir/gateway.token\nHubGatewayTenant gw");
$hub->team('gw');
my $other = $hub->team('other');

my $r = $hub->get('/v1/api-keys', headers => { Authorization => "Bearer $token" });
is($r->{status}, 200, 'the gateway token lists keys');
is(scalar @{ $r->{json} }, 1, "of its tenant ('gw') only");
$r = $hub->post('/v1/api-keys', headers => { Authorization => "Bearer $token" },
                json => { name => 'from-gateway', scopes => ['operator.read'] });
is($r->{status}, 201, 'the gateway token creates keys');
is($hub->psql($hub->db, "SELECT created_by FROM api_keys WHERE name = 'from-gateway'"), 'gateway',
   'created_by says gateway');
is($hub->get('/v1/api-keys', headers => { Authorization => "Bearer ${token}x" })->{status}, 401,
   'a wrong token is refused');
is($hub->get('/v1/api-keys', headers => { Authorization => 'Bearer ' . substr($token, 0, -1) })->{status},
   401, 'a prefix of the token is refused');
is($hub->get('/v1/api-keys')->{status}, 401, 'no token: 401');
is($hub->get('/api/v1/teams/', headers => { Authorization => "Bearer $token" })->{status}, 401,
   'the gateway token is for GoClaw routes only');
is($hub->get('/v1/api-keys', headers => { Authorization => "Bearer $other->{key}" })->{status}, 200,
   'API keys work beside it');
unlike($hub->slurp($hub->error_log_path), qr/\Q$token\E/, 'the token is not logged');
$hub->log_is_clean;
undef $hub;

# no token and authentication explicitly off: open, with a warning
my $open = HubTest->new(name => 'gateway_open', conf => "HubGatewayAuthDisabled On");
$open->team('admin');
$r = $open->get('/v1/api-keys');
is($r->{status}, 200, 'HubGatewayAuthDisabled On: GoClaw routes answer without credentials');
like($open->slurp($open->error_log_path), qr/HUB00102: HubGatewayAuthDisabled On/, 'and the start-up log warns');
is($open->get('/api/v1/teams/')->{status}, 401, 'other profiles still need credentials');
$open->log_is_clean;
undef $open;

# the default: closed
my $closed = HubTest->new(name => 'gateway_closed');
$closed->team('admin');
is($closed->get('/v1/api-keys')->{status}, 401, 'by default GoClaw routes need credentials');
$closed->log_is_clean;

# a token file that cannot be read stops the start with a clear message
my $bad = HubTest->new(name => 'gateway_bad');
open my $cf, '<', $bad->{conf_file} or die;
my $conf = do { local $/; <$cf> };
close $cf;
open my $wf, '>', "$bad->{conf_file}.bad" or die;
print $wf "$conf\nHubGatewayToken $dir/missing.token\n";
close $wf;
$bad->stop_httpd;
my $out = `timeout 20 /usr/sbin/apache2 -f $bad->{conf_file}.bad -DFOREGROUND 2>&1`;
isnt($?, 0, 'httpd refuses to start');
like($out . $bad->slurp($bad->error_log_path), qr/HUB00103: HubGatewayToken .*missing\.token/,
     'an unreadable token file is named at start');
done_testing;
