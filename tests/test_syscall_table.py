"""The system call table is built from the handler modules at boot
(kernel/syscall.py find_handlers): a module that fails to import or a
name defined by two modules must stop the boot, not silently become ENOSYS
or let the last module win."""

import sys

import pytest

import conftest  # noqa: F401  (puts the source tree on sys.path)
from kernel import syscall


def _module(tmp_path, name, text):
    (tmp_path / (name + ".py")).write_text(text)


@pytest.fixture
def modpath(tmp_path):
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("pyuml_t_")]:
        del sys.modules[name]


def test_every_listed_module_imports_and_names_are_unique():
    found = syscall.find_handlers(syscall.SYSCALL_MODULES)
    assert "sys_read" in found and "sys_clone" in found


def test_a_module_that_fails_to_import_is_an_error(modpath):
    _module(modpath, "pyuml_t_broken", "import pyuml_t_no_such_module\ndef sys_x(t): return 0\n")
    with pytest.raises(ImportError):
        syscall.find_handlers(("pyuml_t_broken",))


def test_a_missing_module_is_an_error(modpath):
    with pytest.raises(ImportError):
        syscall.find_handlers(("pyuml_t_not_written_yet",))


def test_a_name_defined_twice_is_an_error(modpath):
    _module(modpath, "pyuml_t_one", "def sys_thing(t): return 1\n")
    _module(modpath, "pyuml_t_two", "def sys_thing(t): return 2\n")
    with pytest.raises(ImportError, match="sys_thing is defined twice"):
        syscall.find_handlers(("pyuml_t_one", "pyuml_t_two"))


def test_a_handler_imported_into_another_module_is_the_same_one(modpath):
    _module(modpath, "pyuml_t_one", "def sys_thing(t): return 1\n")
    _module(modpath, "pyuml_t_three", "from pyuml_t_one import sys_thing\n")
    found = syscall.find_handlers(("pyuml_t_one", "pyuml_t_three"))
    assert found["sys_thing"](None) == 1
