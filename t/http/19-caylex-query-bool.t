# Caylex's boolean query parameters follow one rule on every route, as
# FastAPI (pydantic) parses them: 1 0 true false yes no on off t f y n in
# any case; anything else is FastAPI's 422 naming the parameter.
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new;
my $db = $hub->db;
my $CX = '/caylex/api/v1';
my $a = $hub->team('acme');
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }
sub cx { my ($k, $m, $p, @o) = @_; $hub->request($m, "$CX$p", auth($k), @o) }

# acme: its owner, an active member and a pending one
for my $u ('mem@acme.test', 'pend@acme.test') {
    $hub->hubctl('create-user', $u, '--name', 'X');
    $hub->hubctl('add-member', 'acme', $u, 'member');
}
$hub->psql($db, "UPDATE memberships SET state = 'pending'
                  WHERE user_id = (SELECT id FROM users WHERE email = 'pend\@acme.test')");
my $r = cx($a->{key}, POST => '/projects', json => { name => 'p1' });
is($r->{status}, 200, 'a project to list');

sub emails { my $r = shift; [sort map { $_->{email} } @{ $r->{json}{items} || [] }] }

my @yes = qw(true 1 yes on t y TRUE Yes ON);
my @no = qw(false 0 no off f n FALSE No OFF);
for my $v (@yes) {
    $r = cx($a->{key}, GET => "/members?confirmed=$v");
    is($r->{status}, 200, "confirmed=$v: 200");
    ok(!grep({ $_ eq 'pend@acme.test' } @{ emails($r) }) && @{ emails($r) } == 2,
       "confirmed=$v: the active members") or diag explain emails($r);
    $r = cx($a->{key}, GET => "/projects?include_analytics=$v");
    is($r->{json}{items}[0]{active_navigators}, 0, "include_analytics=$v: counted");
}
for my $v (@no) {
    $r = cx($a->{key}, GET => "/members?confirmed=$v");
    is($r->{status}, 200, "confirmed=$v: 200");
    is_deeply(emails($r), ['pend@acme.test'], "confirmed=$v: the pending member");
    $r = cx($a->{key}, GET => "/projects?include_analytics=$v");
    is($r->{status}, 200, "include_analytics=$v: 200");
    ok(!defined $r->{json}{items}[0]{active_navigators}, "include_analytics=$v: not counted");
}
is($hub->request(GET => "$CX/members/search?email=pend&confirmed=no", auth($a->{key}))
       ->{json}{meta}{total}, 1, 'search takes the same rule');

for my $v ('maybe', '2', 'yess', 'tru', '-1', 'on%20') {
    for my $p ("/members?confirmed=$v", "/members/search?email=a&confirmed=$v") {
        $r = cx($a->{key}, GET => $p);
        is($r->{status}, 422, "$p: 422");
        is_deeply($r->{json}, { detail => [{
            loc => ['query', 'confirmed'], type => 'bool_parsing',
            msg => 'Input should be a valid boolean, unable to interpret input' }] },
            "$p: FastAPI's envelope") or diag explain $r->{json};
    }
    $r = cx($a->{key}, GET => "/projects?include_analytics=$v");
    is($r->{status}, 422, "include_analytics=$v: 422");
    is_deeply($r->{json}{detail}[0]{loc}, ['query', 'include_analytics'],
              "include_analytics=$v: named");
    is($r->{json}{detail}[0]{type}, 'bool_parsing', "include_analytics=$v: bool_parsing");
}

$hub->log_is_clean;
done_testing;
