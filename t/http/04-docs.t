# The documentation endpoints: caylex /docs and its OpenAPI documents in
# JSON and YAML, and the OpenAPI documents of patchwork, toolhub and g4f.
# Each lists exactly the routes of its own profile that this hub serves.
use strict;
use warnings;
use Test::More;
use CPAN::Meta::YAML;
use Encode qw(decode);
use HTTP::Tiny;
use JSON::PP;
use HubTest;

my $UTF8 = JSON::PP->new->utf8->canonical;

# The paths of each profile's API document, as OpenAPI writes them.
sub oa_path { my $p = shift; $p =~ s{(?<=/):([^/]+)}{'{' . $1 . '}'}ge; $p }
my %TSV;
{
    my $f = "$HubTest::TOP/../shared/seeds/endpoints.tsv";
    $f = '/work/shared/seeds/endpoints.tsv' unless -r $f;
    open my $fh, '<', $f or die "endpoints.tsv: $!";
    <$fh>;
    while (<$fh>) {
        chomp;
        my ($profile, $module, $method, $path) = split /\t/;
        $TSV{$profile}{ lc($method) . ' ' . oa_path($path) } = 1;
    }
}
my %TSV_PATHS = map { my $p = $_; ($p => { map { (split / /)[1] => 1 } keys %{ $TSV{$p} } }) }
                keys %TSV;

my %MOUNT = (caylex => '/caylex/api/v1', g4f => '/g4f/api/v1',
             patchwork => '', toolhub => '', goclaw => '');
my %DOC = (caylex => '/docs/openapi.json', patchwork => '/api/openapi.json',
           toolhub => '/openapi.json', g4f => '/openapi.json');
my @DOCUMENTED = qw(caylex patchwork toolhub g4f);

# A concrete URL path for a documented one: parameters filled in.
sub concrete { my $p = shift; $p =~ s/\{[^}]+\}/x1/g; $p }

# Did the hub (not httpd) answer, with a route for this method?
sub hub_serves {
    my ($hub, $method, $path) = @_;
    my $r = $hub->request(uc $method, $path,
        $method =~ /^(post|put|patch)$/ ? (body => '{}',
            headers => { 'content-type' => 'application/json' }) : ());
    return defined $r->{headers}{'x-request-id'} && $r->{status} != 405
        && $r->{status} < 500 && !no_route($r);
}

# The hub's answer to a path that is no route of the profile (its 404 in
# the profile's envelope, t/http/51): "Not Found", where routes name what
# they did not find.
sub no_route {
    my ($r) = @_;
    return 0 unless $r->{status} == 404 && $r->{json};
    my $j = $r->{json};
    my $msg = ref $j->{error} eq 'HASH' ? $j->{error}{message} : $j->{error} // $j->{detail};
    return ($msg // '') eq 'Not Found';
}

# Scalars as the YAML reader gives them: strings.
sub stringify {
    my ($v) = @_;
    return { map { ($_ => stringify($v->{$_})) } keys %$v } if ref $v eq 'HASH';
    return [ map { stringify($_) } @$v ] if ref $v eq 'ARRAY';
    return 'null' unless defined $v;
    return $v ? 'true' : 'false' if JSON::PP::is_bool($v);
    return "$v";
}

# Endpoints the hub adds to a profile (README: "Who is calling"): the
# documents name the session cookies but give no way to get one.
our %HUB_EXTRAS = (
    patchwork => { map { ($_ => 1) } 'post /api/v1/auth/login/', 'post /api/v1/auth/logout/' },
    caylex    => { map { ($_ => 1) } 'post /auth/login', 'post /auth/logout',
                   'get /settings/password-reset/confirm', 'post /settings/password-reset/confirm',
                   'get /servers/logos/{logo_id}',
                   # the gateway's approval queue (sql/024)
                   'get /navigator-instances/{navigator_instance_id}/approvals',
                   'post /navigator-instances/{navigator_instance_id}/approvals/{approval_id}/approve',
                   'post /navigator-instances/{navigator_instance_id}/approvals/{approval_id}/deny' },
);
# and the Swagger UI page of each document, with its files
# (hub_auth_docs.c; t/http/53 checks them)
$HUB_EXTRAS{toolhub} ||= {};
$HUB_EXTRAS{g4f} ||= {};
$HUB_EXTRAS{patchwork}{$_} = 1 for 'get /api/docs', 'get /api/docs/{file}';
$HUB_EXTRAS{caylex}{$_} = 1 for 'get /docs/ui', 'get /docs/ui/{file}';
$HUB_EXTRAS{toolhub}{$_} = 1 for 'get /docs', 'get /docs/{file}';
$HUB_EXTRAS{g4f}{$_} = 1 for 'get /docs/ui', 'get /docs/ui/{file}';
# GoClaw's memory writer, with the path in the body (hub_workflows_goclaw_memory.c)
$HUB_EXTRAS{goclaw}{'put /v1/agents/{agentID}/memory/documents'} = 1;

sub check_document {
    my ($hub, $profile, $diag) = @_;
    my $tag = $diag ? "$profile (diagnostics on)" : $profile;
    my $r = $hub->get($MOUNT{$profile} . $DOC{$profile});
    is($r->{status}, 200, "$tag OpenAPI document");
    like($r->{headers}{'content-type'} // '', qr{^application/json}, "$tag JSON");
    my $doc = $r->{json};
    return fail("$tag document is an object") unless ref $doc eq 'HASH';
    like($doc->{openapi} // '', qr/^3\.\d+\.\d+$/, "$tag openapi 3.x.y");
    ok(length($doc->{info}{title} // '') && length($doc->{info}{version} // ''),
       "$tag info.title and info.version");
    is($doc->{servers}[0]{url}, $hub->base . $MOUNT{$profile},
       "$tag servers[0].url is the mount");
    is(ref $doc->{paths}, 'HASH', "$tag paths object");
    my $paths = $doc->{paths} || {};

    my (%opids, @bad_op, @foreign, @unserved, @undeclared);
    for my $path (sort keys %$paths) {
        push @bad_op, "$path: not absolute" unless $path =~ m{^/};
        my @want = $path =~ /\{([^}]+)\}/g;
        for my $m (sort keys %{ $paths->{$path} }) {
            my $op = $paths->{$path}{$m};
            push @bad_op, "$m $path: not a method"
                unless $m =~ /^(get|put|post|delete|patch|options|head)$/;
            push @bad_op, "$m $path: no responses" unless ref $op->{responses} eq 'HASH'
                && %{ $op->{responses} };
            push @bad_op, "$m $path: operationId repeated"
                if !defined $op->{operationId} || $opids{ $op->{operationId} }++;
            my %have = map { $_->{in} eq 'path' && $_->{required} ? ($_->{name} => 1) : () }
                       @{ $op->{parameters} || [] };
            push @undeclared, "$m $path: {$_}" for grep { !$have{$_} } @want;
            # only this profile's paths (or the hub's own documentation
            # and diagnostic routes)
            my $own = $TSV{$profile}{"$m $path"}
                || $HUB_EXTRAS{$profile}{"$m $path"}
                || "$m $path" eq "get $DOC{$profile}"
                || ($diag && "$m $path" eq "post /_hub/$profile/echo");
            push @foreign, "$m $path" unless $own;
            push @unserved, "$m $path"
                unless hub_serves($hub, $m, $MOUNT{$profile} . concrete($path));
        }
    }
    is_deeply(\@bad_op, [], "$tag operations are well formed");
    is_deeply(\@undeclared, [], "$tag path parameters declared");
    is_deeply(\@foreign, [], "$tag lists only its own profile's paths");
    is_deeply(\@unserved, [], "$tag every documented operation is served");

    # no path of another profile that is not also this profile's
    my @others;
    for my $other (grep { $_ ne $profile } keys %TSV) {
        my %extra_paths = map { (split / /)[1] => 1 } keys %{ $HUB_EXTRAS{$profile} || {} };
        push @others, "$other $_" for grep { $paths->{$_} && !$TSV_PATHS{$profile}{$_}
                                             && !$extra_paths{$_} }
                                      keys %{ $TSV_PATHS{$other} };
    }
    ok(!grep({ m{^/_hub/(?!\Q$profile\E/)} } keys %$paths),
       "$tag no other profile's diagnostic route");
    is_deeply([sort @others], [], "$tag no path of another profile");

    # and every GET of the profile's document the hub serves is listed
    my @missing;
    for my $k (sort grep { /^get / } keys %{ $TSV{$profile} }) {
        my $path = (split / /, $k)[1];
        next if $paths->{$path} && $paths->{$path}{get};
        # a literal path answered through a listed template (a GET of
        # /servers/discover-oauth-metadata reaching /servers/{server_id})
        # is that template's, and listed with it
        next if grep { my $re = $_; $re =~ s/\{[^}]+\}/[^\/]+/g;
                       $paths->{$_}{get} && $path =~ /^$re$/ } keys %$paths;
        push @missing, $k if hub_serves($hub, 'get', $MOUNT{$profile} . concrete($path));
    }
    is_deeply(\@missing, [], "$tag every served GET is documented");
    return $doc;
}

# Without autovivifying anything in the document.
sub has_op { my ($doc, $path, $m) = @_; my $i = ($doc->{paths} || {})->{$path}; $i && $i->{$m} }

# --- diagnostics off (the default) -------------------------------------
my $hub = HubTest->new;

my $r = $hub->get('/caylex/api/v1/docs');
is($r->{status}, 200, 'caylex GET /docs');
like($r->{headers}{'content-type'} // '', qr{^application/json}, 'docs is JSON');
my $base = $hub->base . '/caylex/api/v1';
is($r->{json}{endpoints}{openapi_json}, "$base/docs/openapi.json", 'docs links openapi.json');
is($r->{json}{endpoints}{openapi_yaml}, "$base/docs/openapi.yaml", 'docs links openapi.yaml');
ok(length($r->{json}{title} // ''), 'docs has a title');
my $via_link = HTTP::Tiny->new(timeout => 10)->get($r->{json}{endpoints}{openapi_json} // 'http://127.0.0.1:1/');
is($via_link->{status}, 200, 'the openapi.json link works');

my %docs;
$docs{$_} = check_document($hub, $_, 0) for @DOCUMENTED;

my $cx = $docs{caylex} || {};
is_deeply($UTF8->decode($via_link->{content} || '{}'), $UTF8->decode($UTF8->encode($cx)),
          'the link serves the same document');
my %cxp = %{ $cx->{paths} || {} };
ok(has_op($cx, $_, 'get'), "caylex documents GET $_")
    for qw(/health /docs /docs/openapi.json /docs/openapi.yaml /analytics/health);
ok(!$cxp{$_}, "caylex does not document $_")
    for qw(/api/ /api/v1/health /api/openapi.json /capabilities /server/stats
           /openapi.json / /health/live /health/ready);
ok(!grep({ m{/_hub/} } keys %cxp), 'no diagnostic route when diagnostics are off');
is($cx->{info}{title}, 'Caylex API Service', 'caylex title');

ok(has_op($docs{patchwork}, $_, 'get'), "patchwork documents GET $_")
    for qw(/api/ /api/v1/health /api/openapi.json);
ok(!($docs{patchwork}{paths} || {})->{$_}, "patchwork does not document $_")
    for qw(/health /health/live /health/ready /openapi.json /docs);
ok(has_op($docs{toolhub}, $_, 'get'), "toolhub documents GET $_")
    for qw(/health/live /health/ready /openapi.json);
ok(!($docs{toolhub}{paths} || {})->{$_}, "toolhub does not document $_")
    for qw(/health /api/v1/health /api/openapi.json);
ok(has_op($docs{g4f}, $_, 'get'), "g4f documents GET $_")
    for qw(/ /health /capabilities /server/stats /openapi.json);
ok(!($docs{g4f}{paths} || {})->{$_}, "g4f does not document $_")
    for qw(/docs /analytics/health /api/v1/health /health/live);

# the YAML document: same content, text/plain
$r = $hub->get('/caylex/api/v1/docs/openapi.yaml');
is($r->{status}, 200, 'caylex openapi.yaml');
like($r->{headers}{'content-type'} // '', qr{^text/plain}, 'YAML served as text/plain');
my $yaml = eval { CPAN::Meta::YAML->read_string(decode('UTF-8', $r->{content} // '')) };
ok($yaml && ref $yaml->[0] eq 'HASH', 'YAML parses')
    or diag($@ || CPAN::Meta::YAML->errstr);
my $ydoc = $yaml ? $yaml->[0] : {};
is_deeply([sort keys %{ $ydoc->{paths} || {} }], [sort keys %cxp],
          'YAML has the same paths');
is($ydoc->{servers}[0]{url}, "$base", 'YAML servers[0].url is the mount');
is_deeply($ydoc, stringify($cx), 'YAML says what the JSON says');

# --- diagnostics on: the echo route is documented with its body --------
my $diag = HubTest->new(name => 'docs_diag', conf => 'HubDiagnostics On');
for my $p (@DOCUMENTED) {
    my $doc = check_document($diag, $p, 1) || {};
    my $op = has_op($doc, "/_hub/$p/echo", 'post') || {};
    ok($op, "$p documents POST /_hub/$p/echo");
    my $schema = $op->{requestBody}{content}{'application/json'}{schema} || {};
    is($schema->{type}, 'object', "$p echo body is an object");
    is_deeply($schema->{required}, ['name'], "$p echo requires name");
    is_deeply([sort keys %{ $schema->{properties} || {} }],
              [qw(count enabled meta mode name tags)], "$p echo fields");
    my $pr = $schema->{properties} || {};
    is($pr->{name}{type}, 'string', "$p name is a string");
    is($pr->{name}{maxLength}, 64, "$p name maxLength 64");
    is($pr->{name}{minLength}, 1, "$p name minLength 1");
    is($pr->{count}{type}, 'integer', "$p count is an integer");
    is_deeply([$pr->{count}{minimum}, $pr->{count}{maximum}], [0, 1000000],
              "$p count range");
    is($pr->{enabled}{type}, 'boolean', "$p enabled is a boolean");
    is($pr->{tags}{type}, 'array', "$p tags is an array");
    is($pr->{meta}{type}, 'object', "$p meta is an object");
    ok($pr->{meta}{nullable}, "$p meta is nullable");
    is_deeply($pr->{mode}{enum}, [qw(plain loud)], "$p mode enum");
}
$r = $diag->get('/caylex/api/v1/docs/openapi.yaml');
$yaml = eval { CPAN::Meta::YAML->read_string(decode('UTF-8', $r->{content} // '')) };
ok($yaml && $yaml->[0]{paths}{'/_hub/caylex/echo'}{post}{requestBody},
   'YAML documents the echo route too');

$hub->log_is_clean;
$diag->log_is_clean;
done_testing;
