"""drivers/base/cpu.py - /sys/devices/system/cpu: the one CPU (cpu0),
possible, present and online, on node 0 (drivers/base/node.py)."""


def cpu_files():
    return {
        "possible": "0\n",
        "present": "0\n",
        "online": "0\n",
        "offline": "\n",
        "kernel_max": "8191\n",
        "cpu0": {"online": "1\n"},
    }
