"""security/ - what Linux keeps under security/: the key retention service
(keys/), Landlock (landlock/) and Yama's ptrace scope (yama.py).  Otherwise
the security hooks are commoncap's answers."""
