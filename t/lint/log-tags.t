# Every log message in the modules has its own HUBnnnnn: tag.
use strict;
use warnings;
use Test::More;
my $top = $ENV{HUB_TOP} || '.';
my $out = `perl $top/tools/check-log-tags $top 2>&1`;
is($?, 0, 'log tags are present and unique') or diag($out);
done_testing;
