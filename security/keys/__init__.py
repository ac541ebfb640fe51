"""security/keys/ - the kernel key retention service (Linux's security/keys/).

  key.py            struct key, key types, serial numbers, quotas, permissions
  keyring.py        the "keyring" type: links, search, read
  user_defined.py   the "user" and "logon" types
  process_keys.py   thread, process, session, user and user-session keyrings;
                    lookup_user_key() for the special ids; fork/exec/exit
  request_key.py    request_key(2)
  keyctl.py         add_key(2), request_key(2) and keyctl(2)
  proc.py           /proc/keys and /proc/key-users
"""
