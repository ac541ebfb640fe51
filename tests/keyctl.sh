# keyutils' keyctl(1) exercising the key service; serials are printed as
# U, R, S, P.  Run by tests/test_keys.py natively and under pyuml.
n() { sed -e "s/$u/U/g; s/$r/R/g; s/$s/S/g; s/$p/P/g"; }
s=$(keyctl new_session)
echo "new_session: $?"
u=$(keyctl add user pyuml hello @s); echo "add: $?"
r=$(keyctl newring ring @s)
keyctl print $u
keyctl rdescribe $u
keyctl describe $u | n
keyctl search @s user pyuml | n
keyctl update $u world && keyctl print $u
keyctl link $u $r
keyctl list $r | n
keyctl rlist @s | tr ' ' '\n' | n | sort | tr '\n' ' '; echo
p=$(echo -n piped | keyctl padd user piped $r)
keyctl pipe $p; echo
keyctl timeout $u 100 && keyctl rdescribe $u
keyctl setperm $u 0x3f3f0000 && keyctl rdescribe $u
keyctl chgrp $u 7 && keyctl rdescribe $u
keyctl revoke $u; keyctl print $u; echo "print revoked: $?"
keyctl unlink $p $r; keyctl list $r | n
keyctl request user pyuml-not-there; echo "request: $?"
keyctl invalidate $r; echo "invalidate: $?"
keyctl rdescribe @s | n
keyctl rdescribe @u
keyctl session pyuml-sess keyctl rdescribe @s 2>&1 | sed "s/: [0-9]*$/: N/"
