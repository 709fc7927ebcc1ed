#!/usr/bin/env python3
# A TEST DOUBLE of kubectl, for tests/integration/kube_backend_test.cpp only. It is not kubectl and
# there is no API server behind it: no Kubernetes API server can run on the machine these tests run
# on. It implements the few verbs `procmatrix run --backend kubernetes` uses, keeps its "cluster"
# in a directory ($FAKE_KUBECTL_STATE), fakes a few nodes, and emulates what the real API would
# do with the Pods procmatrix makes:
#   - validation: since 1.30, procMount Unmasked needs hostUsers false ("Invalid");
#   - Pod Security admission by the namespace's enforce and enforce-version labels ("Forbidden"),
#     for the checks procmatrix's Pods can trip: privileged, procMount, and at restricted
#     runAsNonRoot, allowPrivilegeEscalation, capabilities, seccompProfile;
#   - feature gates ProcMountType and UserNamespacesSupport off before 1.33 (fields dropped),
#     unless FAKE_KUBECTL_GATES=on (what the kind config does).
# Each Pod's container runs on THIS machine under runc, from a small OCI bundle made from the
# Pod's securityContext (kubelet's masked and read-only lists unless Unmasked or privileged; a user
# namespace when hostUsers is false). The real end-to-end run is the kind workflow
# (manifests/github/procmatrix-kind.yml).
#
# Environment: FAKE_KUBECTL_STATE (required), FAKE_KUBECTL_PROBE (the static procprobe: every
# image is it), FAKE_KUBECTL_VERSION (default 1.35), FAKE_KUBECTL_NODES ("name:userns,name:nouserns";
# default three nodes), FAKE_KUBECTL_DELAY (seconds a Pod stays Pending before it starts),
# FAKE_KUBECTL_GATES ("on" to turn on the gates of older versions); to play a broken cluster:
# FAKE_KUBECTL_SKIP_VALIDATION=1 (no hostUsers check), FAKE_KUBECTL_PSA_POLICY=1.34 (admission
# ignores the enforce-version label).
import fcntl, hashlib, json, os, shutil, signal, subprocess, sys, time

STATE = os.environ.get("FAKE_KUBECTL_STATE") or sys.exit("fake kubectl (test double): FAKE_KUBECTL_STATE is not set")
VERSION = tuple(int(x) for x in os.environ.get("FAKE_KUBECTL_VERSION", "1.35").split("."))
NODES = os.environ.get("FAKE_KUBECTL_NODES", "fake-node-a:userns,fake-node-b:userns,fake-node-c:nouserns")
MASKED = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
          "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"]
READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
ALL_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
            "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
            "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
            "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
            "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"]


def die(msg, code=1):
    sys.stderr.write(msg + "\n")
    sys.exit(code)


def lock():
    os.makedirs(STATE, exist_ok=True)
    f = open(os.path.join(STATE, ".lock"), "w")
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def nodes():
    out = []
    for i, item in enumerate(NODES.split(",")):
        name, userns = item.split(":")
        out.append({"apiVersion": "v1", "kind": "Node",
                    "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                                          "procmatrix.test/pool": "a" if i < 2 else "b"}},
                    "status": {"conditions": [{"type": "Ready", "status": "True"}],
                               "nodeInfo": {"architecture": "amd64", "containerRuntimeVersion": "containerd://fake-test-double",
                                            "kernelVersion": os.uname().release, "kubeletVersion": "v%d.%d.0" % VERSION,
                                            "osImage": "test double of " + name, "operatingSystem": "linux"},
                               "runtimeHandlers": [{"name": "", "features": {"userNamespaces": userns == "userns",
                                                                              "recursiveReadOnlyMounts": True}}]}})
    return out


def pod_dir(ns, name):
    return os.path.join(STATE, "pods", ns, name)


def opt(args, *names, default=None):
    for i, a in enumerate(args):
        for n in names:
            if a == n and i + 1 < len(args):
                return args[i + 1]
            if a.startswith(n + "="):
                return a[len(n) + 1:]
    return default


# ---- admission ------------------------------------------------------------------------------

def validate(pod):
    c = pod["spec"]["containers"][0]
    sc = c.get("securityContext", {})
    if os.environ.get("FAKE_KUBECTL_SKIP_VALIDATION") == "1":  # a broken API server, for a test
        return None
    if VERSION >= (1, 30) and sc.get("procMount") == "Unmasked" and pod["spec"].get("hostUsers", True):
        return ('The Pod "%s" is invalid: spec.containers[0].securityContext.procMount: Invalid value: "Unmasked": '
                '`hostUsers` must be false to use `Unmasked`' % pod["metadata"]["name"])
    return None


def pod_security(pod, ns_obj, filename):
    labels = ns_obj["metadata"].get("labels", {})
    level = labels.get("pod-security.kubernetes.io/enforce", "privileged")
    version = labels.get("pod-security.kubernetes.io/enforce-version", "latest")
    policy = VERSION if version == "latest" else tuple(int(x) for x in version[1:].split("."))
    if os.environ.get("FAKE_KUBECTL_PSA_POLICY"):  # an admission that ignores the label, for a test
        policy = tuple(int(x) for x in os.environ["FAKE_KUBECTL_PSA_POLICY"].split("."))
    if level == "privileged":
        return None
    sc = pod["spec"]["containers"][0].get("securityContext", {})
    host_users = pod["spec"].get("hostUsers", True)
    why = []
    if sc.get("privileged"):
        why.append('privileged (container "probe" must not set securityContext.privileged=true)')
    if sc.get("procMount", "Default") != "Default":
        if level == "restricted" or host_users or policy < (1, 35):
            why.append('procMount (container "probe" must not set securityContext.procMount to "%s")' % sc["procMount"])
    if level == "restricted":
        if sc.get("allowPrivilegeEscalation") is not False:
            why.append('allowPrivilegeEscalation != false (container "probe" must set securityContext.allowPrivilegeEscalation=false)')
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            why.append('unrestricted capabilities (container "probe" must set securityContext.capabilities.drop=["ALL"])')
        if sc.get("runAsNonRoot") is not True:
            why.append('runAsNonRoot != true (pod or container "probe" must set securityContext.runAsNonRoot=true)')
        if sc.get("seccompProfile", {}).get("type") not in ("RuntimeDefault", "Localhost"):
            why.append('seccompProfile (pod or container "probe" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")')
    if not why:
        return None
    return ('Error from server (Forbidden): error when creating "%s": pods "%s" is forbidden: violates PodSecurity "%s:%s": %s'
            % (filename, pod["metadata"]["name"], level, version, ", ".join(why)))


def drop_disabled(pod):
    if VERSION >= (1, 33) or os.environ.get("FAKE_KUBECTL_GATES") == "on":
        return
    sc = pod["spec"]["containers"][0].get("securityContext", {})
    sc.pop("procMount", None)
    pod["spec"].pop("hostUsers", None)


# ---- verbs ----------------------------------------------------------------------------------

def cmd_version(args):
    print(json.dumps({"clientVersion": {"major": "1", "minor": "35", "gitVersion": "v1.35.0-fake-test-double"},
                      "serverVersion": {"major": str(VERSION[0]), "minor": str(VERSION[1]),
                                        "gitVersion": "v%d.%d.0-fake-test-double" % VERSION}}))


def cmd_get(args):
    kind, rest = args[0], args[1:]
    if kind in ("nodes", "node"):
        items = nodes()
        sel = opt(rest, "-l", "--selector")
        if sel:
            k, v = sel.split("=")
            items = [n for n in items if n["metadata"]["labels"].get(k) == v]
        print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    elif kind in ("pod", "pods"):
        ns, name = opt(rest, "-n", "--namespace", default="default"), rest[0]
        d = pod_dir(ns, name)
        if not os.path.isdir(d):
            die('Error from server (NotFound): pods "%s" not found' % name)
        pod = json.load(open(os.path.join(d, "pod.json")))
        pod["status"] = status_of(d)
        print(json.dumps(pod))
    elif kind == "events":
        print(json.dumps({"apiVersion": "v1", "kind": "List", "items": []}))
    else:
        die("fake kubectl (test double): get %s is not emulated" % kind)


def status_of(d):
    def read(f):
        p = os.path.join(d, f)
        return open(p).read().strip() if os.path.exists(p) else None
    exit_code, started = read("exit"), read("started")
    if exit_code is not None:
        code = int(exit_code)
        return {"phase": "Succeeded" if code == 0 else "Failed",
                "containerStatuses": [{"name": "probe", "state": {"terminated": {"exitCode": code,
                                       "reason": "Completed" if code == 0 else "Error"}}}]}
    if started:
        return {"phase": "Running", "containerStatuses": [{"name": "probe", "state": {"running": {}}}]}
    return {"phase": "Pending", "containerStatuses": [{"name": "probe", "state": {"waiting": {"reason": "ContainerCreating"}}}]}


def cmd_create(args):
    filename = opt(args, "-f", "--filename")
    obj = json.load(open(filename))
    dry = "--dry-run=server" in args
    with lock():
        if obj["kind"] == "Namespace":
            p = os.path.join(STATE, "namespaces", obj["metadata"]["name"] + ".json")
            if os.path.exists(p):
                die('Error from server (AlreadyExists): error when creating "%s": namespaces "%s" already exists' % (filename, obj["metadata"]["name"]))
            os.makedirs(os.path.dirname(p), exist_ok=True)
            json.dump(obj, open(p, "w"))
            print("namespace/%s created" % obj["metadata"]["name"])
            return
        ns = obj["metadata"].get("namespace", "default")
        nsp = os.path.join(STATE, "namespaces", ns + ".json")
        if not os.path.exists(nsp):
            die('Error from server (NotFound): error when creating "%s": namespaces "%s" not found' % (filename, ns))
        drop_disabled(obj)  # as the API server does: fields of a disabled gate go before validation
        refusal = validate(obj) or pod_security(obj, json.load(open(nsp)), filename)
        if refusal:
            die(refusal)
        node_names = [n["metadata"]["name"] for n in nodes()]
        obj["spec"].setdefault("nodeName", node_names[int(hashlib.sha256(obj["metadata"]["name"].encode()).hexdigest(), 16) % len(node_names)])
        if dry:
            print(json.dumps(obj))
            return
        d = pod_dir(ns, obj["metadata"]["name"])
        if os.path.exists(d):
            die('Error from server (AlreadyExists): error when creating "%s": pods "%s" already exists' % (filename, obj["metadata"]["name"]))
        os.makedirs(d)
        json.dump(obj, open(os.path.join(d, "pod.json"), "w"))
        slot = len(os.listdir(os.path.join(STATE, "pods", ns))) + 10 * len(os.listdir(os.path.join(STATE, "pods")))
    out = open(os.path.join(d, "runner.log"), "w")
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "__run-pod", d, str(slot)],
                         stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
    open(os.path.join(d, "pid"), "w").write(str(p.pid))
    print(json.dumps(obj))


def cmd_logs(args):
    ns, name = opt(args, "-n", "--namespace", default="default"), args[0]
    p = os.path.join(pod_dir(ns, name), "stdout")
    if not os.path.exists(p):
        die('Error from server (BadRequest): container "probe" in pod "%s" is waiting to start: ContainerCreating' % name)
    sys.stdout.write(open(p).read())


def remove_pod(d):
    pid = os.path.join(d, "pid")
    if os.path.exists(pid):
        try:
            os.killpg(int(open(pid).read()), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    cid = container_id(d)
    subprocess.run(["runc", "--root", os.path.join(STATE, "runc"), "delete", "--force", cid],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(d, ignore_errors=True)


def cmd_delete(args):
    kind, rest = args[0], args[1:]
    with lock():
        if kind in ("namespace", "namespaces", "ns"):
            name = rest[0]
            for p in [os.path.join(STATE, "pods", name)]:
                if os.path.isdir(p):
                    for pod in os.listdir(p):
                        remove_pod(os.path.join(p, pod))
                    shutil.rmtree(p, ignore_errors=True)
            nsp = os.path.join(STATE, "namespaces", name + ".json")
            if os.path.exists(nsp):
                os.remove(nsp)
            print('namespace "%s" deleted' % name)
        elif kind in ("pod", "pods"):
            ns = opt(rest, "-n", "--namespace", default="default")
            sel = opt(rest, "-l", "--selector")
            base = os.path.join(STATE, "pods", ns)
            names = os.listdir(base) if os.path.isdir(base) else []
            if sel:
                k, v = sel.split("=")
                names = [n for n in names if json.load(open(os.path.join(base, n, "pod.json")))["metadata"]["labels"].get(k) == v]
            else:
                names = [n for n in names if n == rest[0]]
            for n in names:
                remove_pod(os.path.join(base, n))
                print('pod "%s" deleted' % n)
        else:
            die("fake kubectl (test double): delete %s is not emulated" % kind)


# ---- the container ----------------------------------------------------------------------------

def container_id(d):
    return "fk-" + hashlib.sha256(d.encode()).hexdigest()[:16]


def bounding_caps():
    for line in open("/proc/self/status"):
        if line.startswith("CapBnd:"):
            mask = int(line.split()[1], 16)
            return [c for i, c in enumerate(ALL_CAPS) if mask >> i & 1]
    return CAPS


def make_bundle(d, pod, slot):
    b = os.path.join(d, "bundle")
    rootfs = os.path.join(b, "rootfs")
    for sub in ("proc", "sys", "dev"):
        os.makedirs(os.path.join(rootfs, sub))
    # The mapped root of a user namespace must reach the rootfs: every directory above it traversable.
    for p in (STATE, os.path.join(STATE, "pods"), os.path.dirname(d), d, b):
        os.chmod(p, 0o755)
    shutil.copy(os.environ["FAKE_KUBECTL_PROBE"], os.path.join(rootfs, "procprobe"))
    os.chmod(os.path.join(rootfs, "procprobe"), 0o755)
    subprocess.run(["runc", "spec", "--bundle", b], check=True)
    cfg = json.load(open(os.path.join(b, "config.json")))
    c = pod["spec"]["containers"][0]
    sc = c.get("securityContext", {})
    privileged, unmasked = sc.get("privileged", False), sc.get("procMount") == "Unmasked"
    cfg["process"]["args"] = c.get("command", []) + c.get("args", [])
    cfg["process"]["terminal"] = False
    cfg["root"]["readonly"] = False
    caps = bounding_caps() if privileged else CAPS
    for s in ("bounding", "effective", "permitted"):
        cfg["process"]["capabilities"][s] = caps
    cfg["process"]["capabilities"].pop("ambient", None)
    cfg["process"]["capabilities"].pop("inheritable", None)
    cfg["linux"]["maskedPaths"] = [] if unmasked or privileged else MASKED
    cfg["linux"]["readonlyPaths"] = [] if unmasked or privileged else READONLY
    if privileged:
        for m in cfg["mounts"]:
            if m["destination"] == "/sys":
                m["options"] = [o for o in m["options"] if o != "ro"]
    if pod["spec"].get("hostUsers", True) is False:
        host = 300000 + 65536 * (slot % 64)
        cfg["linux"]["namespaces"].append({"type": "user"})
        cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": host, "size": 65536}]
        cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": host, "size": 65536}]
        for m in cfg["mounts"]:
            if m["destination"] == "/sys/fs/cgroup":
                m.update({"type": "bind", "source": "/sys/fs/cgroup", "options": ["rbind", "ro", "nosuid", "noexec", "nodev"]})
    json.dump(cfg, open(os.path.join(b, "config.json"), "w"))
    return b


def run_pod(d, slot):
    time.sleep(float(os.environ.get("FAKE_KUBECTL_DELAY", "0")))
    pod = json.load(open(os.path.join(d, "pod.json")))
    b = make_bundle(d, pod, int(slot))
    open(os.path.join(d, "started"), "w").write("1")
    with open(os.path.join(d, "stdout.tmp"), "w") as out:
        r = subprocess.run(["runc", "--root", os.path.join(STATE, "runc"), "run", "--bundle", b, container_id(d)],
                           stdin=subprocess.DEVNULL, stdout=out, stderr=open(os.path.join(d, "stderr"), "w"))
    subprocess.run(["runc", "--root", os.path.join(STATE, "runc"), "delete", "--force", container_id(d)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.rename(os.path.join(d, "stdout.tmp"), os.path.join(d, "stdout"))
    open(os.path.join(d, "exit"), "w").write(str(r.returncode))


def main(argv):
    args = argv[1:]
    if args and args[0] == "__run-pod":
        return run_pod(args[1], args[2])
    if args[:1] == ["--context"]:
        args = args[2:]
    verbs = {"version": cmd_version, "get": cmd_get, "create": cmd_create, "logs": cmd_logs, "delete": cmd_delete}
    if not args or args[0] not in verbs:
        die("fake kubectl (test double): verb %r is not emulated" % (args[:1],))
    log = os.path.join(STATE, "calls.log")
    os.makedirs(STATE, exist_ok=True)
    with open(log, "a") as f:
        f.write(" ".join(args) + "\n")
    verbs[args[0]](args[1:])


if __name__ == "__main__":
    main(sys.argv)
