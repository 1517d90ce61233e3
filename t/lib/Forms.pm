# The forms of a page as a browser sees them, parsed from the HTML the
# store renders (no HTML parser module is installed, and the templates are
# regular enough for a careful scan), and a query string built from a form
# exactly as a browser builds it: successful controls in document order,
# a select's selected option or else its first, checkboxes only when
# checked, spaces as "+".
package Forms;
use strict;
use warnings;

my %ENT = (amp => '&', lt => '<', gt => '>', quot => '"', apos => "'", nbsp => "\xa0");

sub unescape {
	my $s = shift // '';
	$s =~ s/&(#x[0-9a-fA-F]+|#\d+|\w+);/
	    substr($1, 0, 2) eq '#x' ? chr(hex substr($1, 2)) :
	    substr($1, 0, 1) eq '#' ? chr(substr($1, 1)) : ($ENT{$1} \/\/ "&$1;")/ge;
	return $s;
}

# The text a person reads in $html: tags as spaces, the entities the
# template engine writes decoded, white space folded.
sub text {
	my $h = shift // '';
	$h =~ s/<[^>]+>/ /g;
	$h =~ s/&lt;/</g; $h =~ s/&gt;/>/g; $h =~ s/&quot;/"/g; $h =~ s/&#39;/'/g;
	$h =~ s/&amp;/&/g;
	$h =~ s/\s+/ /g;
	return $h;
}

# The error shown next to field $name (form_error's <p id="NAME-error">),
# decoded; undef when there is none.
sub field_error {
	my ($html, $name) = @_;
	return $html =~ m{<p class="field-error" id="\Q$name\E-error">([^<]*)</p>} ? unescape($1) : undef;
}

# Attributes of a start tag's inside: { name => value } (lower-case names;
# a bare attribute has the value '').
sub attrs {
	my $s = shift;
	my %a;
	while ($s =~ /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g) {
		$a{lc $1} = unescape($2 // $3 // $4 // '');
	}
	return \%a;
}

# Every form of $html: a list of { method, action, attrs, controls } where
# each control is { tag, type, id, name, value, checked, options => [ { value,
# selected } ] }, in document order.
sub parse {
	my ($html) = @_;
	my @forms;
	while ($html =~ m{<form\b([^>]*)>(.*?)</form>}gsi) {
		my ($fa, $body) = (attrs($1), $2);
		my @controls;
		while ($body =~ m{<(input|button)\b([^>]*)>|<select\b([^>]*)>(.*?)</select>|<textarea\b([^>]*)>(.*?)</textarea>}gsi) {
			if (defined $1) {
				my $a = attrs($2);
				push @controls, { tag => lc $1, id => $a->{id}, type => lc($a->{type} // (lc $1 eq 'button' ? 'submit' : 'text')),
				    name => $a->{name}, value => $a->{value} // '', checked => exists $a->{checked},
				    disabled => exists $a->{disabled} };
			} elsif (defined $3) {
				my ($a, $inner) = (attrs($3), $4);
				my @opts;
				while ($inner =~ m{<option\b([^>]*)>(.*?)(?=<option\b|</option>|$)}gsi) {
					my ($oa, $text) = (attrs($1), $2);
					$text =~ s/<[^>]*>//g;
					$text =~ s/^\s+|\s+$//g;
					push @opts, { value => exists $oa->{value} ? $oa->{value} : unescape($text),
					    selected => exists $oa->{selected} };
				}
				push @controls, { tag => 'select', type => 'select', id => $a->{id}, name => $a->{name},
				    options => \@opts, disabled => exists $a->{disabled} };
			} else {
				my ($a, $text) = (attrs($5), $6);
				$text =~ s/^\r?\n//;
				push @controls, { tag => 'textarea', type => 'textarea', name => $a->{name},
				    value => unescape($text), disabled => exists $a->{disabled} };
			}
		}
		push @forms, { method => lc($fa->{method} // 'get'), action => $fa->{action},
		    attrs => $fa, controls => \@controls };
	}
	return @forms;
}

# Text-like inputs a person types into.
sub is_typed { my $c = shift; return $c->{tag} eq 'textarea' || ($c->{tag} eq 'input' && $c->{type} =~ /^(text|search|email|tel|url|number)$/) }

# The pairs a browser submits for form $f when its first submit button is
# pressed; %over sets values by control index (typed text, a chosen
# option's value).
sub pairs {
	my ($f, %over) = @_;
	my (@pairs, $pressed);
	my $i = -1;
	for my $c (@{$f->{controls}}) {
		$i++;
		next if $c->{disabled};
		if ($c->{type} eq 'submit' || $c->{type} eq 'image') {
			next if $pressed++;
			push @pairs, [$c->{name}, $c->{value}] if defined $c->{name} && $c->{name} ne '';
			next;
		}
		next unless defined $c->{name} && $c->{name} ne '';
		next if $c->{type} =~ /^(button|reset|file)$/;
		if ($c->{type} eq 'select') {
			my @o = @{$c->{options}};
			next unless @o;
			my ($sel) = grep { $_->{selected} } @o;
			$sel //= $o[0];
			push @pairs, [$c->{name}, exists $over{$i} ? $over{$i} : $sel->{value}];
		} elsif ($c->{type} =~ /^(checkbox|radio)$/) {
			push @pairs, [$c->{name}, $c->{value} eq '' ? 'on' : $c->{value}] if $c->{checked};
		} else {
			push @pairs, [$c->{name}, exists $over{$i} ? $over{$i} : $c->{value}];
		}
	}
	return @pairs;
}

sub urlencode {
	my $s = shift;
	utf8::encode($s) if utf8::is_utf8($s);
	$s =~ s/([^A-Za-z0-9*\-._ ])/sprintf('%%%02X', ord $1)/ge;
	$s =~ tr/ /+/;
	return $s;
}

# The URL a GET form goes to from page $page_path.
sub get_url {
	my ($f, $page_path, @pairs) = @_;
	my $action = defined $f->{action} && $f->{action} ne '' ? $f->{action} : $page_path;
	$action =~ s/[?#].*//s;
	return $action . '?' . join('&', map { urlencode($_->[0]) . '=' . urlencode($_->[1]) } @pairs);
}

# Submits, as a browser does, the form of $b's last page whose action
# matches $action (a regex or the exact action): its fields as rendered
# (hidden inputs, defaults, the first submit button) with the named
# values of %typed put in, as a person types them; a name the form lacks
# dies, so a test cannot send what the page does not offer.  Returns the
# response (redirects not followed).
sub submit {
	my ($b, $action, %typed) = @_;
	my $page = $b->{last} or die "no page to submit a form of\n";
	my @forms = grep { my $a = $_->{action} // '';
	    ref $action ? $a =~ $action : $a eq $action } parse($page->{content} // '');
	die "no form for $action on $page->{url}\n" unless @forms;
	my $f = $forms[0];
	my %names = map { defined $_->{name} ? ($_->{name} => 1) : () } @{$f->{controls}};
	for my $k (keys %typed) { die "the form for $action has no field $k\n" unless $names{$k} }
	my %over;
	my $i = -1;
	for my $c (@{$f->{controls}}) {
		$i++;
		$over{$i} = $typed{$c->{name}} if defined $c->{name} && exists $typed{$c->{name}};
	}
	my @pairs = pairs($f, %over);
	my $to = $f->{action} // '';
	$to = $page->{url} if $to eq '';
	# An action on the page's own host (the store's, or the emulator's).
	$to = $1 . $to if $to =~ m{^/} && ($page->{url} // '') =~ m{^(https?://[^/]+)};
	if ($f->{method} eq 'get') {
		my $url = get_url($f, $to, @pairs);
		return $b->get($url);
	}
	my $body = join '&', map { urlencode($_->[0]) . '=' . urlencode($_->[1]) } @pairs;
	return $b->request('POST', $to, $body);
}

1;
