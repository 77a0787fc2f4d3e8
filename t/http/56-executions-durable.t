# Durable executions: the httpd host running an execution is killed
# mid-node; another host on the same database claims it when the lease
# runs out and finishes it from the checkpoint: every finished node ran
# once, only the node in flight again.  And two hosts on one database
# run 200 mock executions between them with no node of any run twice.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HubTest;
use HubMcp;

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
my ($jwtfile, $jwtkey) = HubTest::jwt_key_file($dir);
my $conf = join "\n", "HubJwtKeyFile $jwtfile", 'HubOutboundAllow 127.0.0.0/8', 'HubWorkflowPoll 100',
                      'HubWorkflowLease 3', 'HubWorkflowWorkers 2';
my $hub1 = HubTest->new(conf => $conf);
my $db = $hub1->db;
$hub1->team('acme');
my $now = time;
my $th = HubTest::jwt($jwtkey, { sub => 'th-a', email => 'a@toolhub.test', role => 'admin',
                                 tenant => 'acme', exp => $now + 3600, iat => $now });
sub req { my ($h, $m, $p, @o) = @_; $h->request($m, $p, headers => { Authorization => "Bearer $th" }, @o) }
sub q1 { $hub1->psql($db, $_[0]) }
sub node { my ($id, $type, %data) = @_; { id => $id, type => $type, data => \%data } }
sub chain { [ map { { id => "e$_", source => $_[$_ - 1], target => $_[$_] } } 1 .. $#_ ] }

# ---- a host killed mid-run ---------------------------------------------------
# every request to the slow endpoint takes a second and a half
my $slow = HubMcp::canned(sub { select(undef, undef, undef, 1.5); HubMcp::http(200, 'text/plain', "done $_[0]{path}") });
my @ids = map { "s$_" } 1 .. 4;
my $wf = req($hub1, POST => '/api/workflows', json => {
    name => 'Slow chain',
    nodes => [ map { node($_, 'http', url => "http://127.0.0.1:$slow->{port}/$_", timeout => 10) } @ids ],
    edges => chain(@ids) })->{json}{id};
my $ex = req($hub1, POST => "/api/workflows/$wf/run", json => { mode => 'full' })->{json}{id};
ok($ex, 'an execution of four slow nodes');
ok(HubTest::eventually(30, sub {
    q1("SELECT status FROM execution_nodes WHERE execution_id = '$ex' AND node_id = 's2'") eq 'running' }),
   'host one runs it: s1 finished, s2 in flight');
my $first = q1("SELECT claimed_by FROM executions WHERE id = '$ex'");

# kill -9 host one: the parent and every child, no cleanup of any kind
my $pid = delete $hub1->{pid};
my @kids = grep { /^\d+$/ } map { s/\s+//gr } split /\n/, `ps -o pid= --ppid $pid`;
kill 'KILL', $pid, @kids;
waitpid($pid, 0);
ok(HubTest::eventually(10, sub { !grep { my $s = `ps -o stat= -p $_`; $s =~ /\S/ && $s !~ /Z/ } @kids }),
   'host one is dead (' . scalar(@kids) . ' children killed)');
is(q1("SELECT status FROM executions WHERE id = '$ex'"), 'running', '  its execution still says running');

my $hub2 = HubTest->new(name => 'durable_host_two', conf => $conf, share => $hub1);
ok(HubTest::eventually(60, sub { q1("SELECT status FROM executions WHERE id = '$ex'") eq 'completed' }),
   'host two claims it when the lease ran out, and finishes it')
    or diag(q1("SELECT status, error, claims FROM executions WHERE id = '$ex'"));
isnt(q1("SELECT claimed_by FROM executions WHERE id = '$ex'"), $first, '  as another worker');
is(q1("SELECT claims FROM executions WHERE id = '$ex'"), 2, '  claimed twice in all');
is(q1("SELECT string_agg(node_id || ':' || status, ' ' ORDER BY node_id) FROM execution_nodes"
      . " WHERE execution_id = '$ex'"), 's1:completed s2:completed s3:completed s4:completed',
   '  every node completed, one log row each');
my %seen;
$seen{ $_->{path} }++ for @{ $slow->requests };
is($seen{'/s1'}, 1, '  s1, finished before the crash, was not run again');
is($seen{'/s2'}, 2, '  s2, in flight at the crash, ran again from its start');
is_deeply([@seen{'/s3', '/s4'}], [1, 1], '  s3 and s4 once each');
my $r = req($hub2, GET => "/api/executions/$ex");
is($r->{json}{output}{body}, 'done /s4', '  its output is the last node\'s');
is($r->{json}{node_logs}[0]{output}{body}, 'done /s1', "  s1's output survived the crash in the checkpoint");
is(q1("SELECT count(*) FROM run_events WHERE run_id = '$ex' AND type = 'execution.resumed'"), 1,
   '  execution.resumed recorded');
is(q1("SELECT count(*) FROM run_events WHERE run_id = '$ex' AND type = 'node.completed'"), 4,
   '  node.completed once per node');

# ---- two hosts, 200 executions ----------------------------------------------
my $hub3 = HubTest->new(name => 'durable_host_three', conf => $conf, share => $hub1);
my @five = map { "n$_" } 1 .. 5;
my $mock = req($hub2, POST => '/api/workflows', json => {
    name => 'Five', nodes => [ map { node($_, 'template', template => "$_ {{input}}") } @five ],
    edges => chain(@five) })->{json}{id};
my @runs;
for my $i (1 .. 200) {
    my $h = $i % 2 ? $hub2 : $hub3;
    push @runs, req($h, POST => "/api/workflows/$mock/run", json => { mode => 'mock', input => "r$i" })->{json}{id};
}
is(scalar(grep { defined } @runs), 200, '200 executions created on both hosts');
my $list = join ',', map { "'$_'" } @runs;
ok(HubTest::eventually(120, sub { q1("SELECT count(*) FROM executions WHERE id IN ($list) AND status = 'completed'") == 200 }),
   '  all completed')
    or diag(q1("SELECT status, count(*) FROM executions WHERE id IN ($list) GROUP BY 1"));
is(q1("SELECT count(*) FROM execution_nodes WHERE execution_id IN ($list)"), 1000, '  1,000 node logs: five each');
is(q1("SELECT count(*) FROM run_events WHERE run_id IN ($list) AND type = 'node.started'"), 1000,
   '  no node started twice');
is(q1("SELECT count(*) FROM executions WHERE id IN ($list) AND claims <> 1"), 0, '  each claimed once');
is(q1("SELECT count(*) FROM executions WHERE id IN ($list) AND output->>'text' <> 'n5 ' || (input #>> '{}')"), 0,
   '  each with its own output');
diag('workers that ran them: ' . q1("SELECT count(DISTINCT claimed_by) FROM executions WHERE id IN ($list)"));
ok($hub2->log_is_clean && $hub3->log_is_clean, 'no unexpected errors in the logs');
done_testing();
