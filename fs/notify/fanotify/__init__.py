"""fs/notify/fanotify/ - fanotify: fanotify.py (marks, events), fanotify_user.py (the system calls and the fd)."""
