# The C files listed in t/lint/formatted.list are as tools/format (the
# project's .clang-format) leaves them.  The tree is being brought to that
# format file by file: a file joins the list once it is formatted, and the
# list holds every C file when the work is done.  An empty list skips.
use strict;
use warnings;
use Test::More;

my $top = $ENV{HUB_TOP} || '.';
my $list = "$top/t/lint/formatted.list";
open my $fh, '<', $list or die "$list: $!";
my @files;
while (my $l = <$fh>) {
    $l =~ s/#.*//;
    $l =~ s/^\s+|\s+$//g;
    push @files, $l if length $l;
}
close $fh;
plan skip_all => 'formatting is not applied yet: t/lint/formatted.list lists no file'
    unless @files;

my @gone = grep { !-f "$top/$_" } @files;
ok(!@gone, 'every file in t/lint/formatted.list exists')
    or diag("not found (remove from the list): @gone");

my @have = grep { -f "$top/$_" } @files;
my @all = split /\n/, `cd '$top' && find modules t/unit t/fuzz -type f -name '*.[ch]'`;
note(scalar(@files) . ' of ' . scalar(@all) . ' C files are in t/lint/formatted.list');
if (@have) {
    my $out = `cd '$top' && tools/format --check @have 2>&1`;
    my $rc = $? >> 8;
    is($rc, 0, scalar(@have) . ' listed files are formatted')
        or diag($rc == 1 ? "not formatted (run tools/format FILE):\n$out" : $out);
}
done_testing;
