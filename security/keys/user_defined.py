"""security/keys/user_defined.py - the "user" and "logon" key types: a blob
of 1..32767 bytes the owner can read back (user) or only the kernel can
(logon: no read, and a description "service:name")."""

from kernel.errno import EINVAL, Errno
from security.keys.key import KeyType, key_payload_reserve, register_key_type

USER_MAX_PAYLOAD = 32767


class UserKeyType(KeyType):
    name = "user"
    has_update = True
    has_read = True

    def preparse(self, description, payload):
        if not 0 < len(payload) <= USER_MAX_PAYLOAD:
            raise Errno(EINVAL)
        return bytes(payload), len(payload)

    def read(self, key):
        return key.payload

    def revoke(self, key):
        key_payload_reserve(key, 0)
        key.payload = b""


class LogonKeyType(UserKeyType):
    name = "logon"
    has_read = False

    def vet_description(self, description):
        colon = description.find(b":")
        if colon <= 0:
            raise Errno(EINVAL)


register_key_type(UserKeyType())
register_key_type(LogonKeyType())
