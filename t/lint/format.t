# Every C file (modules/, t/unit/, t/fuzz/) is as tools/format (the
# project's .clang-format, clang-format 14) leaves it.  Tables and other
# hand-laid data are kept by /* clang-format off */ ... /* clang-format on */.
use strict;
use warnings;
use Test::More;

my $top = $ENV{HUB_TOP} || '.';
my @all = split /\n/, `cd '$top' && find modules t/unit t/fuzz -type f -name '*.[ch]' | LC_ALL=C sort`;
ok(@all > 100, scalar(@all) . ' C files found');
my $out = `cd '$top' && tools/format --check 2>&1`;
my $rc = $? >> 8;
is($rc, 0, 'every C file is formatted')
    or diag($rc == 1 ? "not formatted (run tools/format FILE):\n$out" : $out);
done_testing;
