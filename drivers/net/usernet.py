"""drivers/net/usernet.py - placeholder until the user-mode network lands."""

from kernel.errno import ENETUNREACH, Errno


class UserNetOptionError(Exception):
    pass


def parse_option(name, value, cfg):
    raise UserNetOptionError("not yet")


def usernet_init(cfg):
    pass


def tcp_connect(sk, rt):
    raise Errno(ENETUNREACH)


def udp_send(sk, rt, daddr, dport, data):
    raise Errno(ENETUNREACH)
