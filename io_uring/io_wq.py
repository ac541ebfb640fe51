"""io_uring/io_wq.py - requests that must block, run "in a worker".

Linux hands a request that can neither finish at once nor be retried by a
poll (a FIFO open waiting for its peer, a read of a file that cannot be
polled) to an io-wq worker thread, which blocks in the call for it.  Here
the call is a generator, the kernel's usual form of a sleeping system call
(HACKING.md "Sleeping"), and this module is the worker: it runs the
generator up to a sleep, hooks a callback on the queues it sleeps on (and a
timer for its deadline), and resumes it as task work when one fires.  So
io_uring_enter never waits for a request, as on Linux.

The generator runs on behalf of the request's task (its credentials, its
files, its address space); a signal pending for that task ends such a
wait as it would the task's own call (EINTR), where Linux's worker would
go on.  Cancelling the request closes the generator.
"""

from kernel import sched
from kernel.errno import Errno
from io_uring.io_uring import req_complete

ECANCELED = 125


class Worker:
    def __init__(self, req, gen, done):
        self.req = req
        self.gen = gen
        self.done = done            # done(req, result): completes it
        self.queues = ()
        self.timer = None

    def _unhook(self):
        for q in self.queues:
            try:
                q.callbacks.remove(self._wake)
            except ValueError:
                pass
        self.queues = ()
        if self.timer is not None:
            sched.del_timer(self.timer)
            self.timer = None

    def _wake(self, key=0):
        self._unhook()
        self.req.ctx.queue_tw(self.req, self._resume)

    def _resume(self, req):
        self.step()

    def step(self):
        """Run the call to its next sleep (or its end)."""
        req = self.req
        try:
            sl = self.gen.send(None)
        except StopIteration as e:
            self._finish(e.value)
            return
        except Errno as e:
            self._finish(-e.errno)
            return
        queues = tuple(sl.queues or ())         # a kernel.sched.Sleep, as every sleep
        deadline = sl.deadline
        self.queues = queues
        for q in queues:
            q.callbacks.append(self._wake)
        if deadline is not None:
            self.timer = sched.add_timer(deadline, self._wake)
        if not queues and deadline is None:
            # a sleep nothing can end: look again soon rather than never
            self.timer = sched.add_timer(sched.now() + 0.01, self._wake)
        req.cancel_fn = self.cancel

    def _finish(self, res):
        req = self.req
        if req in req.ctx.inflight:
            req.ctx.inflight.remove(req)
        req.cancel_fn = None
        self.done(req, res)

    def cancel(self):
        self._unhook()
        try:
            self.gen.close()
        except Exception:
            pass
        req = self.req
        if req in req.ctx.inflight:
            req.ctx.inflight.remove(req)
        req_complete(req, -ECANCELED)
        return True


def _complete(req, res):
    # cycle: io_uring.rw -> io_uring.io_wq
    from io_uring.rw import restart_to_eintr
    if res is None:
        res = 0
    req_complete(req, restart_to_eintr(res))


def io_wq_submit(req, gen, done=None):
    """Run gen for req in a worker; req completes with its result."""
    w = Worker(req, gen, done or _complete)
    req.ctx.inflight.append(req)
    req.cancel_fn = w.cancel
    w.step()
    return None
