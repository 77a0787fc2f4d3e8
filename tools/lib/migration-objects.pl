# migration-objects.pl FILE: two SQL booleans as one select list, whether
# every and whether any object the migration FILE creates by name exists
# (tables, indexes, functions, aggregates, triggers, added columns);
# nothing when it creates none that can be named (a CREATE OR REPLACE, a
# DO block, a dropped constraint).
# hub_migrate_adopt (pg.sh) uses it to tell which files of sql/ a
# database had applied before schema_migrations recorded them.
use strict;
use warnings;
local $/;
$_ = <>;
s/--[^\n]*//g;
my $id = qr/[a-z_][a-z_0-9]*/i;
my @c;
push @c, "to_regclass('$1') IS NOT NULL"
    while /\bCREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX)\s+(?:IF\s+NOT\s+EXISTS\s+)?($id)\b/g;
push @c, "EXISTS (SELECT 1 FROM pg_proc WHERE proname = '$1')"
    while /\bCREATE\s+(?:FUNCTION|AGGREGATE)\s+($id)\b/g;
push @c, "EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '$1')"
    while /\bCREATE\s+TRIGGER\s+($id)\b/g;
while (/\bALTER\s+TABLE\s+($id)((?:\s+ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?$id[^;,]*,?)+)/g) {
    my ($t, $adds) = ($1, $2);
    push @c, "EXISTS (SELECT 1 FROM information_schema.columns"
        . " WHERE table_schema = current_schema() AND table_name = '$t'"
        . " AND column_name = '$1')"
        while $adds =~ /ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?($id)/g;
}
print @c ? join(' AND ', @c) . ', ' . join(' OR ', @c) . "\n" : "\n";
