#!/usr/bin/python3
"""Read the Kubernetes example manifests for tests/kubernetes.sh.

  k8s-manifests.py check DIR        structural checks; prints ok / not ok lines
  k8s-manifests.py extract DIR OUT  write what the container gets into OUT:
      env              NAME=value lines (--env-file form), paths into mounted
                       ConfigMaps and Secrets rewritten to OUT/files/...
      files/PATH       the content of every mounted ConfigMap and Secret key
      config           the path of /etc/postrelay/relay.yaml under OUT/files
      probes           "KIND ARGV..." per probe
      ports            "NAME NUMBER" per container port
      prestop.sh       the preStop script
      external         mount paths of Secrets the manifests do not hold
      pod.env          the container's env as given (for docker run --env-file)
      docker-flags     the container's securityContext and emptyDir mounts as
                       docker run options, one a line (--read-only,
                       --cap-drop/--cap-add, --security-opt, --tmpfs)
      mounts           "MOUNTPATH DIR" per ConfigMap/Secret volume the
                       manifests hold: DIR is laid out as the kubelet does
                       (KEY -> ..data/KEY, ..data -> ..TIMESTAMP), mode 0400
                       for Secrets

The schema check uses the models of Debian's python3-kubernetes: every field
must exist in the API model with the right type, and the model's own
constructors reject missing required fields.
"""
import base64
import os
import sys

import yaml

IMAGE_CONFIG = "/etc/postrelay/relay.yaml"


def load(directory):
    docs = []
    for name in sorted(os.listdir(directory)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                for doc in yaml.safe_load_all(f):
                    if doc is not None:
                        docs.append((name, doc))
    return docs


def find(docs, kind, name=None):
    return [d for _, d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]


PRIMITIVES = {"str": str, "int": int, "bool": bool, "float": (int, float), "object": object,
              "datetime": str, "date": str}


def schema_errors(value, typ, path, errors):
    import kubernetes.client as kc
    if typ.startswith("list["):
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list")
            return
        for i, v in enumerate(value):
            schema_errors(v, typ[5:-1], f"{path}[{i}]", errors)
    elif typ.startswith("dict("):
        inner = typ[typ.index(",") + 1:-1].strip()
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a mapping")
            return
        for k, v in value.items():
            schema_errors(v, inner, f"{path}.{k}", errors)
    elif typ in PRIMITIVES:
        if (typ in ("int", "str") and isinstance(value, bool)) or not isinstance(value, PRIMITIVES[typ]):
            errors.append(f"{path}: expected {typ}, got {type(value).__name__} {value!r}")
    else:
        cls = getattr(kc, typ)
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a {typ} mapping")
            return
        fields = {json: attr for attr, json in cls.attribute_map.items()}
        for k, v in value.items():
            if k not in fields:
                errors.append(f"{path}.{k}: no such field in {typ}")
            else:
                schema_errors(v, cls.openapi_types[fields[k]], f"{path}.{k}", errors)


def schema_check(doc):
    import kubernetes.client as kc
    api, kind = doc.get("apiVersion", ""), doc.get("kind", "")
    if api not in ("v1", "apps/v1", "policy/v1"):
        return [f"apiVersion {api!r} is not a stable API"]
    typ = "V1" + kind
    if not hasattr(kc, typ):
        return [f"unknown kind {kind}"]
    errors = []
    schema_errors(doc, typ, kind, errors)
    try:  # the models' constructors check required fields and enums
        kc.ApiClient()._ApiClient__deserialize(doc, typ)
    except (ValueError, TypeError) as e:
        errors.append(str(e))
    return errors


class Results:
    def __init__(self):
        self.failed = 0

    def __call__(self, cond, name, why=""):
        print(f"ok - {name}" if cond else f"not ok - {name}{': ' + why if why else ''}")
        self.failed += 0 if cond else 1


def pod_parts(docs):
    sts = find(docs, "StatefulSet")[0]
    pod = sts["spec"]["template"]
    return sts, pod, pod["spec"]["containers"][0]


def check(directory):
    ok = Results()
    docs = load(directory)
    ok(len(docs) > 0, f"{len(docs)} objects in {directory}")
    for name, doc in docs:
        label = f"{name}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        ok(isinstance(doc.get("metadata", {}).get("name"), str), f"{label} has apiVersion, kind and a name")
        errors = schema_check(doc)
        ok(not errors, f"{label} matches the Kubernetes API schema (python3-kubernetes models)", "; ".join(errors))

    sts, pod, c = pod_parts(docs)
    labels = pod["metadata"]["labels"]
    ok(sts["spec"]["selector"]["matchLabels"].items() <= labels.items(), "StatefulSet selector matches its pods")
    claims = {t["metadata"]["name"] for t in sts["spec"].get("volumeClaimTemplates", [])}
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
    spool = mounts.get("/var/spool/postfix", {})
    ok(spool.get("name") in claims, "the queue /var/spool/postfix is a PersistentVolumeClaim per replica")

    sa = pod["spec"].get("serviceAccountName", "default")
    accounts = find(docs, "ServiceAccount", sa)
    ok(sa != "default" and accounts, f"pods run as their own ServiceAccount {sa}")
    ok(bool(accounts) and accounts[0].get("automountServiceAccountToken") is False
       and pod["spec"].get("automountServiceAccountToken") is False, "no service account token is mounted")

    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    for svc in find(docs, "Service"):
        sname = svc["metadata"]["name"]
        ok(svc["spec"]["selector"].items() <= labels.items(), f"Service {sname} selects the relay pods")
        for p in svc["spec"]["ports"]:
            ok(p.get("targetPort") in ports, f"Service {sname} port {p['port']} targets container port {p.get('targetPort')}")
    main = find(docs, "Service", "postrelay")
    ok(bool(main) and {p["port"] for p in main[0]["spec"]["ports"]} == {25, 587}, "Service postrelay serves 25 and 587")
    ok(sts["spec"]["serviceName"] in {s["metadata"]["name"] for s in find(docs, "Service")},
       "the StatefulSet's serviceName exists")
    for pdb in find(docs, "PodDisruptionBudget"):
        ok(pdb["spec"]["selector"]["matchLabels"].items() <= labels.items(), "PodDisruptionBudget selects the relay pods")
    ok(len(find(docs, "PodDisruptionBudget")) == 1, "one PodDisruptionBudget")

    ann = pod["metadata"].get("annotations", {})
    ok(ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/port") == "9154"
       and ports.get("metrics") == 9154, "metrics port 9154 is named and annotated for Prometheus")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        ok("exec" in c.get(probe, {}), f"{probe} runs the image's health check")
    pre = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    ok(pre[:2] == ["sh", "-c"] and len(pre) == 3, "preStop is one sh -c script")
    grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
    ok(grace >= 50, f"terminationGracePeriodSeconds {grace} leaves the preStop its 45 s")
    req = c.get("resources", {}).get("requests", {})
    ok("cpu" in req and "memory" in req, "cpu and memory requests are set")

    least_privilege(ok, directory, pod, c)

    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    for m in c.get("volumeMounts", []):
        v = volumes.get(m["name"], {})
        if "secret" in v or "configMap" in v:
            ok("subPath" not in m, f"{m['mountPath']} is mounted whole (no subPath), so updates and symlink swaps reach the pod")
            ok(m.get("readOnly") is True, f"{m['mountPath']} is read-only")
    return ok.failed


def compose_caps(directory):
    """cap_add of the relay in examples/compose.yaml, the other documented run."""
    path = os.path.join(directory, "..", "compose.yaml")
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)["services"]["relay"].get("cap_add", [])


def memory_dirs(pod, c):
    """Mount paths of the container's emptyDir volumes with medium Memory."""
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    return [m["mountPath"] for m in c.get("volumeMounts", [])
            if (volumes.get(m["name"], {}).get("emptyDir") or {}).get("medium") == "Memory"]


def least_privilege(ok, directory, pod, c):
    sc = c.get("securityContext", {})
    ok(sc.get("readOnlyRootFilesystem") is True, "the root filesystem is read-only")
    ok(sc.get("allowPrivilegeEscalation") is False, "no privilege escalation (no_new_privs)")
    caps = sc.get("capabilities", {})
    ok(caps.get("drop") == ["ALL"], "every capability is dropped")
    want = compose_caps(directory)
    ok(bool(want) and sorted(caps.get("add", [])) == sorted(want),
       f"the capabilities added back are the documented set {' '.join(sorted(want))}",
       f"got {caps.get('add')}")
    seccomp = (sc.get("seccompProfile") or pod["spec"].get("securityContext", {}).get("seccompProfile") or {})
    ok(seccomp.get("type") == "RuntimeDefault", "seccompProfile is RuntimeDefault")
    mem = memory_dirs(pod, c)
    for d in ("/run", "/tmp"):
        ok(d in mem, f"{d} is an emptyDir in memory (a tmpfs)")


def mounted(docs, c, pod, path):
    """(mount path, volume, key) of the ConfigMap or Secret key that @path is, or None."""
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    for m in sorted(c.get("volumeMounts", []), key=lambda m: -len(m["mountPath"])):
        root = m["mountPath"].rstrip("/") + "/"
        if path.startswith(root):
            v = volumes[m["name"]]
            src = v.get("secret") or v.get("configMap")
            if src is None:
                return None
            rel = path[len(root):]
            for item in src.get("items", []):
                if item["path"] == rel:
                    rel = item["key"]
            return m["mountPath"], v, rel
    return None


def content(docs, volume, key):
    if "configMap" in volume:
        cms = find(docs, "ConfigMap", volume["configMap"]["name"])
        return cms[0].get("data", {}).get(key) if cms else None
    secrets = find(docs, "Secret", volume["secret"]["secretName"])
    if not secrets:
        return None
    s = secrets[0]
    if key in s.get("stringData", {}):
        return s["stringData"][key]
    if key in s.get("data", {}):
        return base64.b64decode(s["data"][key]).decode()
    return None


def extract(directory, out):
    docs = load(directory)
    sts, pod, c = pod_parts(docs)
    files = os.path.join(out, "files")
    external = set()

    def localize(path):
        hit = mounted(docs, c, pod, path)
        if hit is None:
            return path
        mount, volume, key = hit
        local = files + path
        text = content(docs, volume, key)
        if text is None:
            if "secret" in volume and not find(docs, "Secret", volume["secret"]["secretName"]):
                external.add(mount)  # a Secret the user creates (the TLS one)
            else:
                sys.exit(f"{path}: key {key} is not in the mounted {volume['name']}")
        else:
            os.makedirs(os.path.dirname(local), exist_ok=True)
            with open(local, "w", encoding="utf-8") as f:
                f.write(text)
        return local

    with open(os.path.join(out, "env"), "w", encoding="utf-8") as f:
        for e in c.get("env", []):
            if "value" not in e:
                sys.exit(f"env {e['name']}: only literal values are supported")
            value = str(e["value"])
            if value.startswith("/"):
                value = localize(value)
            f.write(f"{e['name']}={value}\n")
    config = localize(IMAGE_CONFIG)
    with open(os.path.join(out, "config"), "w", encoding="utf-8") as f:
        f.write(config + "\n" if config != IMAGE_CONFIG else "")
    with open(os.path.join(out, "probes"), "w", encoding="utf-8") as f:
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            f.write(probe + " " + " ".join(c[probe]["exec"]["command"]) + "\n")
    with open(os.path.join(out, "ports"), "w", encoding="utf-8") as f:
        for p in c.get("ports", []):
            f.write(f"{p['name']} {p['containerPort']}\n")
    with open(os.path.join(out, "prestop.sh"), "w", encoding="utf-8") as f:
        f.write(c["lifecycle"]["preStop"]["exec"]["command"][2])
    with open(os.path.join(out, "external"), "w", encoding="utf-8") as f:
        for m in sorted(external):
            f.write(files + m + "\n")
    with open(os.path.join(out, "pod.env"), "w", encoding="utf-8") as f:
        for e in c.get("env", []):
            f.write(f"{e['name']}={e['value']}\n")
    sc = c.get("securityContext", {})
    with open(os.path.join(out, "docker-flags"), "w", encoding="utf-8") as f:
        if sc.get("readOnlyRootFilesystem"):
            f.write("--read-only\n")
        if sc.get("allowPrivilegeEscalation") is False:
            f.write("--security-opt\nno-new-privileges\n")
        for cap in sc.get("capabilities", {}).get("drop", []):
            f.write(f"--cap-drop\n{cap}\n")
        for cap in sc.get("capabilities", {}).get("add", []):
            f.write(f"--cap-add\n{cap}\n")
        for d in memory_dirs(pod, c):
            f.write(f"--tmpfs\n{d}\n")
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    with open(os.path.join(out, "mounts"), "w", encoding="utf-8") as f:
        for m in c.get("volumeMounts", []):
            v = volumes.get(m["name"], {})  # the spool is a volumeClaimTemplate
            if "configMap" in v:
                src = find(docs, "ConfigMap", v["configMap"]["name"])
                data = src[0].get("data", {}) if src else None
                mode = 0o644
            elif "secret" in v:
                src = find(docs, "Secret", v["secret"]["secretName"])
                data = None
                if src:
                    data = dict(src[0].get("stringData", {}))
                    for k, b64 in src[0].get("data", {}).items():
                        data[k] = base64.b64decode(b64).decode()
                mode = v["secret"].get("defaultMode", 0o644)
            else:
                continue
            if data is None:
                continue
            d = os.path.join(out, "volumes", m["name"])
            stamp = os.path.join(d, "..2026_01_01_00_00_00.1")
            os.makedirs(stamp)
            for k, text in data.items():
                with open(os.path.join(stamp, k), "w", encoding="utf-8") as kf:
                    kf.write(text)
                os.chmod(os.path.join(stamp, k), mode)
                os.symlink(os.path.join("..data", k), os.path.join(d, k))
            os.symlink(os.path.basename(stamp), os.path.join(d, "..data"))
            f.write(f"{m['mountPath']} {d}\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(1 if check(sys.argv[2]) else 0)
    if len(sys.argv) == 4 and sys.argv[1] == "extract":
        sys.exit(extract(sys.argv[2], sys.argv[3]))
    sys.exit(__doc__)
