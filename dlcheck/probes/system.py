"""Operating system, architecture, WSL, containers, hypervisor and Rosetta."""

from __future__ import annotations

import os
import platform
import socket
import sys
from collections.abc import Iterable
from pathlib import Path

from dlcheck.records import PlatformFacts
from dlcheck.subprocesses import run_command

_ARCH_ALIASES = {
    "amd64": "x86_64",
    "x64": "x86_64",
    "x86-64": "x86_64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv8": "arm64",
    "i386": "x86",
    "i686": "x86",
    "x86": "x86",
}


def normalise_arch(machine: str) -> str:
    """Map the many spellings of an architecture onto x86_64, arm64, x86 or the input."""
    m = machine.strip().lower()
    return _ARCH_ALIASES.get(m, m)


def parse_os_release(text: str) -> dict[str, str]:
    """Parse /etc/os-release (KEY="value" lines)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[key.strip()] = value
    return out


def detect_wsl(osrelease: str, env: dict[str, str]) -> tuple[bool, int | None]:
    """WSL from the kernel release string (/proc/sys/kernel/osrelease) and the environment."""
    rel = osrelease.lower()
    if "microsoft" in rel or "wsl" in rel:
        return True, (2 if "wsl2" in rel or "microsoft-standard" in rel else 1)
    if env.get("WSL_DISTRO_NAME"):
        return True, None
    return False, None


def detect_container(
    proc1_cgroup: str,
    env: dict[str, str],
    dockerenv: bool,
    containerenv: bool,
    proc1_environ: str = "",
) -> str | None:
    """Which container runtime, from the files and variables each one leaves behind."""
    if env.get("KUBERNETES_SERVICE_HOST") or "kubepods" in proc1_cgroup:
        return "kubernetes"
    if containerenv or env.get("container") == "podman" or "libpod" in proc1_cgroup:
        return "podman"
    if dockerenv or "docker" in proc1_cgroup or "containerd" in proc1_cgroup:
        return "docker"
    if "lxc" in proc1_cgroup or env.get("container") == "lxc" or "container=lxc" in proc1_environ:
        return "lxc"
    if env.get("container"):
        return env["container"]
    return None


_HYPERVISORS = (
    ("kvm", "KVM"),
    ("qemu", "QEMU"),
    ("vmware", "VMware"),
    ("virtualbox", "VirtualBox"),
    ("innotek", "VirtualBox"),
    ("microsoft corporation", "Hyper-V"),
    ("xen", "Xen"),
    ("amazon ec2", "Amazon EC2"),
    ("google compute engine", "Google Compute Engine"),
    ("parallels", "Parallels"),
    ("bochs", "Bochs"),
    ("openstack", "OpenStack"),
)


def detect_hypervisor(dmi_text: str, cpu_has_hypervisor_flag: bool) -> str | None:
    """Name the hypervisor from DMI vendor/product strings; 'unknown hypervisor' if only the
    CPU's hypervisor flag shows one."""
    low = dmi_text.lower()
    for needle, name in _HYPERVISORS:
        if needle in low:
            return name
    return "unknown hypervisor" if cpu_has_hypervisor_flag else None


def detect_libc(
    libc_ver: tuple[str, str], musl_loaders: Iterable[Path]
) -> tuple[str | None, str | None]:
    """(family, version) of the C library: glibc from ``platform.libc_ver()``, musl (Alpine)
    from its loader /lib/ld-musl-*.so.1 (``libc_ver`` knows nothing of musl)."""
    lib, ver = libc_ver
    if lib == "glibc":
        return "glibc", ver or None
    if any(True for _ in musl_loaders):
        return "musl", None
    return (lib or None), (ver or None)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def probe_platform(timeout: float = 3.0) -> PlatformFacts:
    """Describe the operating system this process runs on."""
    system = platform.system()
    kernel = platform.release()
    machine = normalise_arch(platform.machine() or "")
    is64 = sys.maxsize > 2**32 or machine in ("x86_64", "arm64")
    os_name = os_version = libc = container = hypervisor = None
    distro_id = libc_family = libc_version = None
    distro_like: list[str] = []
    wsl, wsl_version, rosetta = False, None, False
    env = dict(os.environ)
    if system == "Linux":
        rel = parse_os_release(_read("/etc/os-release") or _read("/usr/lib/os-release"))
        os_name = rel.get("PRETTY_NAME") or rel.get("NAME") or "Linux"
        os_version = rel.get("VERSION_ID")
        distro_id = rel.get("ID", "").strip().lower() or None
        distro_like = rel.get("ID_LIKE", "").lower().split()
        libc_family, libc_version = detect_libc(platform.libc_ver(), Path("/lib").glob("ld-musl-*"))
        libc = f"{libc_family or ''} {libc_version or ''}".strip() or None
        wsl, wsl_version = detect_wsl(_read("/proc/sys/kernel/osrelease") or kernel, env)
        container = detect_container(
            _read("/proc/1/cgroup"),
            env,
            Path("/.dockerenv").exists(),
            Path("/run/.containerenv").exists(),
        )
        dmi = " ".join(
            _read(f"/sys/class/dmi/id/{n}") for n in ("sys_vendor", "product_name", "bios_vendor")
        )
        flags = ""
        for line in _read("/proc/cpuinfo").splitlines():
            if line.startswith(("flags", "Features")):
                flags = line
                break
        hypervisor = detect_hypervisor(dmi, " hypervisor" in flags)
        if wsl and hypervisor is None:
            hypervisor = "Hyper-V"
    elif system == "Darwin":
        os_version = platform.mac_ver()[0] or None
        os_name = f"macOS {os_version}" if os_version else "macOS"
        res = run_command(["sysctl", "-n", "sysctl.proc_translated"], timeout=timeout)
        rosetta = res.ok and res.stdout.strip() == "1"
        if rosetta:
            machine = "arm64"  # the hardware; Python itself is x86_64 (see the Python facts)
        res = run_command(["sysctl", "-n", "kern.hv_vmm_present"], timeout=timeout)
        if res.ok and res.stdout.strip() == "1":
            hypervisor = "unknown hypervisor"
    elif system == "Windows":
        release, version, _, _ = platform.win32_ver()
        os_version = version or None
        # Windows 11 still reports release "10"; its builds start at 22000.
        try:
            build = int((version or "0").split(".")[-1])
        except ValueError:
            build = 0
        name = "11" if release == "10" and build >= 22000 else release
        os_name = f"Windows {name}".strip()
        if os.environ.get("PROCESSOR_ARCHITEW6432"):
            machine = normalise_arch(os.environ["PROCESSOR_ARCHITEW6432"])
        else:
            machine = normalise_arch(os.environ.get("PROCESSOR_ARCHITECTURE", machine))
        is64 = machine in ("x86_64", "arm64")
    from dlcheck.probes.context import probe_context

    context = probe_context(wsl=wsl, container=container)
    return PlatformFacts(
        system=system or None,
        os_name=os_name,
        os_version=os_version,
        kernel=kernel or None,
        machine=machine or None,
        is_64bit_os=is64,
        wsl=wsl,
        wsl_version=wsl_version,
        container=container,
        hypervisor=hypervisor,
        rosetta=rosetta,
        hostname=socket.gethostname() or None,
        libc=libc,
        libc_family=libc_family,
        libc_version=libc_version,
        distro_id=distro_id,
        distro_like=distro_like,
        context=context,
        root=(os.geteuid() == 0) if hasattr(os, "geteuid") else None,
    )
