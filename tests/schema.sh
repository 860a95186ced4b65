#!/bin/bash
# The JSON Schema of `postrelaycfg schema` is a valid draft-07 schema; every
# examples/*.yaml validates against it with a real validator (Debian's
# python3-jsonschema, the file read by PyYAML as YAML 1.1 like editors do);
# every tests/data/schema-invalid/*.yaml is rejected by it and by postrelaycfg.
# Usage: schema.sh POSTRELAYCFG SOURCE_ROOT
set -eu
cli=$1
src=$2
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

# validate SCHEMA [FILE]: check the schema, then FILE against it; prints the first error
validate() {
	python3 - "$@" <<'PY'
import json, sys, jsonschema, yaml
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
if len(sys.argv) > 2:
    err = jsonschema.exceptions.best_match(
        jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(open(sys.argv[2]))))
    if err:
        print("/".join(str(p) for p in err.absolute_path) + ": " + err.message)
        sys.exit(1)
PY
}

if ! "$cli" schema >"$work/schema.json"; then
	notok "postrelaycfg schema failed"
	tap_summary || exit 1
fi
if out=$(validate "$work/schema.json" 2>&1); then
	ok "schema is a valid draft-07 JSON Schema"
else
	notok "schema is not a valid JSON Schema: $out"
fi
# every YAML key of the settings table is a property path of the schema
"$cli" settings | tail -n +3 | cut -d'|' -f3 | tr -d '\140 ' >"$work/keys"
if out=$(python3 - "$work/schema.json" "$work/keys" 2>&1 <<'PY'
import json, sys
schema = json.load(open(sys.argv[1]))
keys = open(sys.argv[2]).read().split()
missing = []
for k in keys:
    node = schema
    for part in k.split("."):
        node = node.get("properties", {}).get(part)
        if node is None:
            missing.append(k)
            break
print(" ".join(missing) if missing else len(keys))
sys.exit(1 if missing or not keys else 0)
PY
); then
	ok "schema has a property for each of the $out settings"
else
	notok "schema lacks settings: $out"
fi

for f in "$src"/examples/*.yaml; do
	name=examples/$(basename "$f")
	# a Docker Compose file, not a relay configuration
	[ "$name" != examples/compose.yaml ] || continue
	if out=$(validate "$work/schema.json" "$f" 2>&1); then
		ok "$name validates against the schema"
	else
		notok "$name does not validate: $out"
	fi
done

for f in "$src"/tests/data/schema-invalid/*.yaml; do
	name=$(basename "$f")
	if out=$(validate "$work/schema.json" "$f" 2>&1); then
		notok "$name: accepted by the schema"
	else
		ok "$name: schema rejects it ($out)"
	fi
	rc=0
	"$cli" check -c "$f" --no-env 2>"$work/err" || rc=$?
	if [ "$rc" = 78 ] && grep -qE "$name:[0-9]+:[0-9]+: " "$work/err"; then
		ok "$name: postrelaycfg rejects it ($(grep -m1 -oE "$name:[0-9]+:[0-9]+: .*" "$work/err"))"
	else
		notok "$name: postrelaycfg check exit $rc: $(cat "$work/err")"
	fi
done

tap_summary
