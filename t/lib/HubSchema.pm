package HubSchema;
# A small validator for the JSON-schema subset the hub's OpenAPI documents
# use (OpenAPI 3.0 schema objects): type, nullable, properties, required,
# additionalProperties, items, $ref (#/components/schemas/...), enum,
# anyOf / oneOf / allOf, minimum / maximum, minLength / maxLength.  Other
# keywords are ignored: the documents must not rely on them.
#
#   my @errors = HubSchema::validate($doc, $schema, $value);
#
# $value as JSON::PP decodes it (decode it just before: a number that Perl
# has used as a string looks like one).  Each error names where it is
# ("$.items[0].id") and what is wrong; none means the value validates.
use strict;
use warnings;
use B ();
use JSON::PP ();
use Exporter 'import';
our @EXPORT_OK = qw(validate resolve undeclared);

# The schema a $ref names, within $doc.
sub resolve {
    my ($doc, $ref) = @_;
    die "unsupported \$ref $ref\n" unless $ref =~ m{^#/(.*)$};
    my $node = $doc;
    for my $step (split m{/}, $1) {
        $step =~ s/~1/\//g;
        $step =~ s/~0/~/g;
        die "\$ref $ref: no $step\n" unless ref $node eq 'HASH' && exists $node->{$step};
        $node = $node->{$step};
    }
    return $node;
}

# What JSON type a decoded value is.
sub json_type {
    my ($v) = @_;
    return 'null' unless defined $v;
    return 'boolean' if JSON::PP::is_bool($v);
    return 'object' if ref $v eq 'HASH';
    return 'array' if ref $v eq 'ARRAY';
    return 'unknown' if ref $v;
    my $flags = B::svref_2object(\$v)->FLAGS;
    return 'string' if $flags & B::SVf_POK;
    return 'integer' if $flags & B::SVf_IOK;
    if ($flags & B::SVf_NOK) {
        return $v == int($v) ? 'integer' : 'number';
    }
    return 'string';
}

sub type_ok {
    my ($want, $have) = @_;
    return 1 if $want eq $have;
    return 1 if $want eq 'number' && $have eq 'integer';
    return 0;
}

sub validate {
    my ($doc, $schema, $v, $at) = @_;
    $at //= '$';
    return ("$at: schema is not an object") unless ref $schema eq 'HASH';
    if (defined $schema->{'$ref'}) {
        my $target = eval { resolve($doc, $schema->{'$ref'}) };
        return ("$at: $@") unless $target;
        return validate($doc, $target, $v, $at);
    }
    my @err;
    my $type = json_type($v);
    if ($type eq 'null') {
        return () if $schema->{nullable};
        my $alts = $schema->{anyOf} || $schema->{oneOf};
        if (!$alts) {
            # only a schema that says nothing of the value takes null
            return () unless grep { defined $schema->{$_} } qw(type properties enum allOf);
            return ("$at: null, not " . ($schema->{type} // 'a value'));
        }
    }
    if (defined $schema->{type} && $type ne 'null' && !type_ok($schema->{type}, $type)) {
        return ("$at: $type, not $schema->{type}");
    }
    if ($schema->{enum} && $type ne 'null') {
        push @err, "$at: " . JSON::PP->new->allow_nonref->encode($v) . ' is not in the enum'
            unless grep { defined $_ && !ref $_ && !ref $v && "$_" eq "$v" } @{ $schema->{enum} };
    }
    for my $alt (qw(anyOf oneOf)) {
        next unless $schema->{$alt};
        my $n = grep { !validate($doc, $_, $v, $at) } @{ $schema->{$alt} };
        push @err, "$at: matches none of $alt" unless $n;
        push @err, "$at: matches $n of oneOf" if $alt eq 'oneOf' && $n > 1;
    }
    for my $part (@{ $schema->{allOf} || [] }) {
        push @err, validate($doc, $part, $v, $at);
    }
    if ($type eq 'object') {
        my $props = $schema->{properties} || {};
        for my $name (@{ $schema->{required} || [] }) {
            push @err, "$at: member $name missing" unless exists $v->{$name};
        }
        for my $name (sort keys %$v) {
            if ($props->{$name}) {
                push @err, validate($doc, $props->{$name}, $v->{$name}, "$at.$name");
            }
            elsif (exists $schema->{additionalProperties}) {
                my $ap = $schema->{additionalProperties};
                if (ref $ap eq 'HASH') {
                    push @err, validate($doc, $ap, $v->{$name}, "$at.$name");
                }
                elsif (!$ap) {
                    push @err, "$at: member $name is not allowed";
                }
            }
        }
    }
    if ($type eq 'array' && $schema->{items}) {
        for my $i (0 .. $#$v) {
            push @err, validate($doc, $schema->{items}, $v->[$i], "$at\[$i\]");
        }
    }
    if ($type eq 'integer' || $type eq 'number') {
        push @err, "$at: $v < minimum $schema->{minimum}"
            if defined $schema->{minimum} && $v < $schema->{minimum};
        push @err, "$at: $v > maximum $schema->{maximum}"
            if defined $schema->{maximum} && $v > $schema->{maximum};
    }
    if ($type eq 'string') {
        my $n = length $v;
        push @err, "$at: shorter than $schema->{minLength}"
            if defined $schema->{minLength} && $n < $schema->{minLength};
        push @err, "$at: longer than $schema->{maxLength}"
            if defined $schema->{maxLength} && $n > $schema->{maxLength};
    }
    return @err;
}


# The members of value $v that schema does not declare, as paths ($at
# their root's): an answer that grew a member its document does not name.
sub undeclared {
    my ($doc, $schema, $v, $at) = @_;
    $schema = resolve($doc, $schema->{'$ref'}) while $schema->{'$ref'};
    return () if $schema->{anyOf} || $schema->{additionalProperties};
    if (ref $v eq 'ARRAY') {
        return () unless $schema->{items};
        my %u;
        return grep { !$u{$_}++ } map { undeclared($doc, $schema->{items}, $_, "$at\[]") } @$v;
    }
    return () unless ref $v eq 'HASH';
    my $props = $schema->{properties} or return ();
    return map { $props->{$_} ? undeclared($doc, $props->{$_}, $v->{$_}, "$at.$_") : "$at.$_" } sort keys %$v;
}

1;
