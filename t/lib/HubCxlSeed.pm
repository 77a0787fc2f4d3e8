# Seeded gateway call records for the tests of Caylex's query logs, users
# and breakdowns (t/http/45, t/http/46): two tenants with their projects,
# navigators and instances, servers and instances, project users, and
# call records generated here (deterministic), inserted with psql and
# kept as Perl rows, so each test computes its right answers from what
# it seeded rather than from what the hub says.
#
#   my $s = HubCxlSeed->new($hub);
#   $s->{t}{acme}, $s->{p}{P1}, $s->{ni}{I11}, $s->{srv}{S1}, $s->{si}{si11},
#   $s->{pu}{ann} (project_users.id), $s->{user}{ann} (users.id)
#   @{ $s->{rows} }: { at (epoch, fractional), tenant, project, nav, method,
#                      tool, server, si, user, ms, ok, error_type, error,
#                      query_id, query }
package HubCxlSeed;
use strict;
use warnings;
use POSIX qw(floor);
use Time::HiRes ();

my $N = 0;
sub uuid { sprintf '%08x-0000-4000-8000-%012x', 0xC0FFEE, ++$N }

sub new {
    my ($class, $hub) = @_;
    my $s = bless { hub => $hub, rows => [] }, $class;
    my $q1 = sub { $hub->psql($hub->db, $_[0]) };
    $s->{t}{$_} = $q1->("SELECT id FROM tenants WHERE slug = '$_'") for qw(acme globex);
    my ($A, $B) = @{ $s->{t} }{qw(acme globex)};
    my @sql;
    my %tenant_of;
    for ([P1 => $A, 'Alpha'], [P2 => $A, 'Beta'], [Q1 => $B, 'Gamma']) {
        my ($k, $t, $name) = @$_;
        $s->{p}{$k} = uuid();
        $tenant_of{$k} = $t;
        push @sql, "INSERT INTO projects (id, tenant_id, name) VALUES ('$s->{p}{$k}', '$t', '$name')";
    }
    for ([N1 => $A, 'Support Bot'], [N2 => $A, 'Sales Bot'], [N3 => $B, 'Other Bot']) {
        my ($k, $t, $name) = @$_;
        $s->{nav}{$k} = uuid();
        $s->{nav_name}{$k} = $name;
        (my $api = lc $name) =~ s/ /-/g;
        push @sql, "INSERT INTO navigators (id, tenant_id, name, api_name, tool_exposure)"
                 . " VALUES ('$s->{nav}{$k}', '$t', '$name', '$api', 'compact')";
    }
    # instances: navigator, project
    for ([I11 => 'N1', 'P1'], [I12 => 'N1', 'P2'], [I21 => 'N2', 'P1'], [I31 => 'N3', 'Q1']) {
        my ($k, $n, $p) = @$_;
        $s->{ni}{$k} = uuid();
        $s->{ni_nav}{$k} = $n;
        $s->{ni_project}{$k} = $p;
        push @sql, "INSERT INTO navigator_instances (id, tenant_id, navigator_id, project_id)"
                 . " VALUES ('$s->{ni}{$k}', '$tenant_of{$p}', '$s->{nav}{$n}', '$s->{p}{$p}')";
    }
    for ([S1 => $A, 'Weather', 'https://logos.test/weather.png'], [S2 => $A, 'Docs', undef],
         [S3 => $B, 'Beta Tools', 'https://logos.test/beta.png']) {
        my ($k, $t, $name, $logo) = @$_;
        $s->{srv}{$k} = uuid();
        $s->{srv_name}{$k} = $name;
        $s->{srv_logo}{$k} = $logo;
        my $l = defined $logo ? "'$logo'" : 'NULL';
        push @sql, "INSERT INTO servers (id, tenant_id, slug, name, mode, logo_url)"
                 . " VALUES ('$s->{srv}{$k}', '$t', '" . lc($k) . "', '$name', 'heartbeat', $l)";
    }
    # server instances: server, project
    for ([si11 => 'S1', 'P1'], [si21 => 'S2', 'P1'], [si12 => 'S1', 'P2'], [si22 => 'S2', 'P2'],
         [si33 => 'S3', 'Q1']) {
        my ($k, $srv, $p) = @$_;
        $s->{si}{$k} = uuid();
        $s->{si_server}{$k} = $srv;
        push @sql, "INSERT INTO server_instances (id, tenant_id, server_id, project_id)"
                 . " VALUES ('$s->{si}{$k}', '$tenant_of{$p}', '$s->{srv}{$srv}', '$s->{p}{$p}')";
    }
    # users; the project users of P1 (ann, bob, cat: cat never calls) and
    # of Q1 (zed); dan calls in P1 without being one of its users
    for ([ann => $A, 'P1'], [bob => $A, 'P1'], [cat => $A, 'P1'], [dan => $A, undef], [zed => $B, 'Q1']) {
        my ($k, $t, $p) = @$_;
        $s->{user}{$k} = uuid();
        $s->{email}{$k} = "$k\@users.test";
        push @sql, "INSERT INTO users (id, email) VALUES ('$s->{user}{$k}', '$k\@users.test')";
        next unless $p;
        $s->{pu}{$k} = uuid();
        push @sql, "INSERT INTO project_users (id, tenant_id, project_id, user_id)"
                 . " VALUES ('$s->{pu}{$k}', '$t', '$s->{p}{$p}', '$s->{user}{$k}')";
    }
    $q1->(join ";\n", @sql);
    $s->{now} = floor(Time::HiRes::time());
    return $s;
}

# Add a record (a hash as in rows, `ago` seconds before the seed's now
# instead of `at`); returns it.
sub add {
    my ($s, %r) = @_;
    $r{at} = $s->{now} - delete $r{ago} if exists $r{ago};
    $r{at} = sprintf '%.3f', $r{at};    # milliseconds: what the hub shows
    $r{method} //= 'tools/call';
    $r{ms} //= 10;
    $r{ok} //= 1;
    my $ni = $r{nav};
    $r{tenant} //= $s->{ni_project}{$ni} eq 'Q1' ? 'globex' : 'acme';
    $r{project} //= $s->{ni_project}{$ni};
    push @{ $s->{rows} }, \%r;
    return \%r;
}

# A query (a search) at `ago` seconds and its tool calls: [si, tool, ms,
# ok, offset seconds after the search]; returns the query id.
sub query {
    my ($s, %q) = @_;
    my $id = uuid();
    $s->add(nav => $q{nav}, ago => $q{ago}, tool => 'search_tools', query => $q{text},
            query_id => $id, ms => 3, user => $q{user});
    for my $c (@{ $q{calls} || [] }) {
        my ($si, $tool, $ms, $ok, $off) = @$c;
        $s->add(nav => $q{nav}, ago => $q{ago} - $off, si => $si, server => $s->{si_server}{$si},
                tool => $tool, ms => $ms, ok => $ok, query_id => $id, user => $q{user},
                $ok ? () : (error_type => 'execution', error => "failed $tool"));
    }
    return $id;
}

sub lit { defined $_[0] ? "'" . ($_[0] =~ s/'/''/gr) . "'" : 'NULL' }

# Write every record added so far (one batch, as the recorder does).
sub flush {
    my ($s) = @_;
    my @v;
    for my $r (grep { !$_->{written} } @{ $s->{rows} }) {
        $r->{written} = 1;
        push @v, join ', ', "to_timestamp($r->{at})", lit($s->{t}{ $r->{tenant} }),
            lit($s->{ni}{ $r->{nav} }), lit($r->{project} && $s->{p}{ $r->{project} }), lit($r->{method}),
            lit($r->{tool}), lit($r->{server} && $s->{srv}{ $r->{server} }), lit($r->{si} && $s->{si}{ $r->{si} }),
            lit($r->{user} && $s->{user}{ $r->{user} }), $r->{ms}, $r->{ok} ? 'true' : 'false',
            lit($r->{error_type}), lit($r->{error}), lit($r->{query_id}), lit($r->{query}),
            defined $r->{upstream} ? $r->{upstream} : 'NULL';
    }
    return unless @v;
    $s->{hub}->psql($s->{hub}->db,
        "INSERT INTO mcp_calls (at, tenant_id, navigator_instance_id, project_id, method, tool_name,"
        . " server_id, server_instance_id, user_id, gateway_ms, ok, error_type, error, query_id, query,"
        . " upstream_ms) VALUES " . join(', ', map { "($_)" } @v));
}

# ISO-8601 as the hub writes it (milliseconds, Z), of an epoch
sub iso {
    my ($t) = @_;
    my @g = gmtime(floor($t));
    return sprintf '%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', $g[5] + 1900, $g[4] + 1, $g[3], $g[2], $g[1], $g[0],
        int(($t - floor($t)) * 1000 + 0.5);
}

1;
