"""security/ - what Linux keeps under security/: the key retention service
(keys/).  No LSM: the security hooks are commoncap's answers."""
