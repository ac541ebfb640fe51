"""fs/notify/ - file system change notification: the hooks the VFS calls
(fsnotify.py) and inotify, the interface programs use (inotify.py)."""
