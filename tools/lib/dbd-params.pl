# dbd-params.pl FILE: the DBDParams of an httpd configuration file, with
# ${NAME} expanded from the file's own Define lines (and the environment,
# as httpd expands it), for hubctl --conf.  Quotes are httpd's: a value in
# double quotes may hold spaces and \" escapes.  Include lines are not
# followed: name the file that holds the Define and DBDParams.
use strict;
use warnings;
my $file = shift or die "usage: dbd-params.pl FILE\n";
open my $fh, '<', $file or die "hubctl: cannot read $file: $!\n";
my (%def, $params);
sub arg {
    my ($s) = @_;
    return $1 =~ s/\\(.)/$1/gr if $s =~ /^\s*"((?:[^"\\]|\\.)*)"/;
    return $1 if $s =~ /^\s*(\S+)/;
    return undef;
}
sub expand {
    my ($s) = @_;
    $s =~ s/\$\{(\w+)\}/exists $def{$1} ? $def{$1}
        : exists $ENV{$1} ? $ENV{$1}
        : die "hubctl: $file: \${$1} is not defined\n"/ge;
    return $s;
}
while (my $line = <$fh>) {
    next if $line =~ /^\s*#/;
    if ($line =~ /^\s*Define\s+(\w+)(.*)$/i) {
        my ($name, $rest) = ($1, $2);
        $def{$name} = expand(arg($rest) // '');
    } elsif ($line =~ /^\s*DBDParams\s+(.*)$/i) {
        $params = expand(arg($1) // '');
    }
}
die "hubctl: no DBDParams in $file\n" unless defined $params;
print "$params\n";
