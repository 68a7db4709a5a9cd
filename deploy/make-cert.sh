#!/usr/bin/env bash
# The office's own certificate authority, and the server's certificate from it, for nginx.
#   sudo /opt/antrian/deploy/make-cert.sh antrian.kantor 192.168.1.10
# In TLS_DIR (/etc/antrian/tls): ca.key and ca.crt, made once (10 years): every office PC
# trusts ca.crt (docs/deploy.md); then antrian.key and antrian.crt for the names and
# addresses given, the first one the main name (2 years and a bit: run again to renew; the
# CA stays, so the PCs need nothing new).
set -euo pipefail

dir=${TLS_DIR:-/etc/antrian/tls}
(( $# )) || { echo "usage: make-cert.sh NAME [NAME|ADDRESS...], e.g. antrian.kantor 192.168.1.10" >&2; exit 2; }
names=()
for name in "$@"; do
  if [[ $name =~ ^[0-9.]+$ || $name =~ ^[0-9a-fA-F:]+:[0-9a-fA-F:]*$ ]]; then names+=("IP:$name")
  elif [[ $name =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then names+=("DNS:$name")
  else echo "make-cert.sh: '$name' is neither a host name nor an address" >&2; exit 2
  fi
done
san=$(IFS=,; echo "${names[*]}")
umask 077
mkdir -p "$dir"
quiet() {  # openssl's progress dots only when it fails, with its message
  local out
  out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
}

if [[ ! -e $dir/ca.key ]]; then
  quiet openssl req -x509 -newkey rsa:3072 -noenc -days 3650 -subj "/O=Antrian/CN=Antrian office CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt"
  chmod 0644 "$dir/ca.crt"
  echo "make-cert.sh: made the CA $dir/ca.crt: install it on every office PC"
fi

quiet openssl req -new -newkey rsa:2048 -noenc -subj "/CN=$1" -keyout "$dir/antrian.key.new" \
  -out "$dir/antrian.csr"
# 825 days: the longest a browser accepts for a server certificate.
quiet openssl x509 -req -in "$dir/antrian.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -days 825 \
  -set_serial "0x$(openssl rand -hex 16)" -out "$dir/antrian.crt.new" -extfile <(printf '%s\n' \
  "subjectAltName=$san" "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth")
rm -f -- "$dir/antrian.csr"
chmod 0644 "$dir/antrian.crt.new"
mv -- "$dir/antrian.key.new" "$dir/antrian.key"
mv -- "$dir/antrian.crt.new" "$dir/antrian.crt"
echo "make-cert.sh: made $dir/antrian.crt for $san; reload nginx: systemctl reload nginx"
