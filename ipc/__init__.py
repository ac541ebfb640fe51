"""ipc/ - System V IPC: shared memory (shm.py), semaphores (sem.py) and
message queues (msg.py), with the id, key and permission tables they share
(util.py).  One namespace: every process of the kernel sees the same keys."""
