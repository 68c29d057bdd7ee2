#!/usr/bin/env bash
# The host baseline on a provisioned host: e2e/baseline-checks run on it, sshd tried from
# outside (root with a key, passwords, weak algorithms), a breakage case that the checks must
# catch, and lynis's hardening index (begun and ended apart). Sourced after host.sh and load.sh.

E2E_BASELINE_CHECKS="$E2E_ROOT/e2e/baseline-checks"
# Lowest lynis hardening index a hardened proving-ground host may score: lynis 3.0.8 gave it 68
# (the bare base image, in a chroot, 53; the same chroot hardened, 64).
E2E_LYNIS_MIN_INDEX="${E2E_LYNIS_MIN_INDEX:-60}"

# baseline_checks NAME LOG: runs the checks list on the host as root; its lines go to LOG.
baseline_checks() {
    host_ssh "$1" "bash -s" <"$E2E_BASELINE_CHECKS" >"$2" 2>&1
}

# ssh_refused NAME EXPECTED SSH_ARGS...: an ssh to the host that must fail with EXPECTED (a
# regex) in its error; prints a verdict otherwise.
ssh_refused() {
    local name="$1" expected="$2" out
    shift 2
    # ssh takes the first value of an option: INFO before the usual ERROR, so refusals are printed.
    if out="$(ssh -o LogLevel=INFO "${E2E_SSH_OPTS[@]}" "$@" "$(host_addr "$name")" true 2>&1)"; then
        echo "ssh $* got in; "
    elif ! grep -Eq "$expected" <<<"$out"; then
        echo "ssh $*: '$(tail -n 1 <<<"$out")', not /$expected/; "
    fi
}

# sshd as a client meets it: root is refused even with an authorised key, only public keys
# are offered, weak algorithms find no match.
baseline_ssh_from_outside() {
    local name="$1" verdict=""
    host_ssh "$name" "install -d -m 0700 /root/.ssh && install -m 0600 /dev/stdin /root/.ssh/authorized_keys" <"$E2E_SSH_KEY.pub"
    verdict+="$(ssh_refused "$name" 'Permission denied' -l root)"
    host_ssh "$name" "rm -f /root/.ssh/authorized_keys"
    verdict+="$(ssh_refused "$name" 'Permission denied \(publickey\)' -l "$E2E_SSH_USER" -o PubkeyAuthentication=no \
        -o PreferredAuthentications=password,keyboard-interactive)"
    verdict+="$(ssh_refused "$name" 'no matching cipher' -l "$E2E_SSH_USER" -o Ciphers=aes128-cbc)"
    verdict+="$(ssh_refused "$name" 'no matching MAC' -l "$E2E_SSH_USER" -o Ciphers=aes128-ctr -o MACs=hmac-sha1)"
    verdict+="$(ssh_refused "$name" 'no matching key exchange' -l "$E2E_SSH_USER" -o KexAlgorithms=diffie-hellman-group14-sha1)"
    verdict+="$(ssh_refused "$name" 'no matching host key type' -l "$E2E_SSH_USER" -o HostKeyAlgorithms=ssh-rsa)"
    echo "$verdict"
}

# Breaks sshd (a drop-in read before the baseline's), the sysctl file, the compiled audit rules
# and the session umask; baseline_repair undoes it.
baseline_break() {
    host_ssh "$1" "printf 'PermitRootLogin yes\nPasswordAuthentication yes\n' >/etc/ssh/sshd_config.d/00-breakage.conf &&
        systemctl reload ssh && sed -i.ok 's/^net.ipv4.conf.all.accept_redirects = 0$/net.ipv4.conf.all.accept_redirects = 1/' $BASELINE_SYSCTL_FILE &&
        sed -i '/-k identity\$/d' /etc/audit/audit.rules && sed -i.ok 's/^UMASK.*/UMASK 022/' /etc/login.defs"
}

baseline_repair() {
    host_ssh "$1" "rm -f /etc/ssh/sshd_config.d/00-breakage.conf && systemctl reload ssh &&
        mv $BASELINE_SYSCTL_FILE.ok $BASELINE_SYSCTL_FILE && mv /etc/login.defs.ok /etc/login.defs && augenrules >/dev/null"
}

BASELINE_SYSCTL_FILE=/etc/sysctl.d/60-depot-hardening.conf
# The checks a breakage must turn to FAIL (one line each in the checks' output).
BASELINE_BREAKAGE_CAUGHT=("sshd: no root login" "sshd: no passwords" "sysctl file: net.ipv4.conf.all.accept_redirects"
    "audit rules: identity" "umask of this session (pam_umask) is 027" "login.defs: UMASK 027")

# baseline_breakage_caught LOG: prints a verdict for each breakage the checks missed.
baseline_breakage_caught() {
    local check
    for check in "${BASELINE_BREAKAGE_CAUGHT[@]}"; do
        grep -qF "FAIL  $check" "$1" || echo "the checks missed a broken '$check'; "
    done
}

# lynis (Debian's package, installed for the audit only: never part of an image) with its
# default profile; prints the hardening index, or nothing. Its certificate-expiry test (CRYP-7902,
# no hardening points) skips Debian's CA bundle, which ca-certificates keeps current: two openssl
# runs per root certificate took most of a minute; the host's own certificates are still checked.
lynis_index() {
    local name="$1"
    host_ssh "$name" "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends lynis" \
        >"$E2E_STATE/log/lynis-install.log" 2>&1 || return 0
    host_ssh "$name" "echo 'ssl-certificate-paths-to-ignore=/etc/letsencrypt/archive:/etc/ssl/certs:/usr/share/ca-certificates:' >/etc/lynis/custom.prf" ||
        return 0
    host_ssh "$name" "lynis audit system --quick --no-colour --logfile /var/log/lynis.log --report-file /var/log/lynis-report.dat" \
        >"$E2E_STATE/log/lynis.log" 2>&1 || true
    host_ssh "$name" "sed -n 's/^hardening_index=//p' /var/log/lynis-report.dat"
}

# baseline_scenario NAME: the checks, sshd from outside and the breakage, one summary row each.
baseline_scenario() {
    local name="$1" start verdict log="$E2E_STATE/log/baseline-checks.log"
    start=$(now_ms)
    verdict=""
    baseline_checks "$name" "$log" || verdict+="$(grep -c '^FAIL' "$log") checks failed: $(grep '^FAIL' "$log" | cut -c7- | tr '\n' ';')"
    sed 's/^/  /' "$log" >&2
    record "host baseline: $(grep -c '^PASS' "$log") checks pass, $(grep -c '^SKIP' "$log") skipped" "$start" "$verdict"

    start=$(now_ms)
    record "host baseline: sshd from outside" "$start" "$(baseline_ssh_from_outside "$name")"

    start=$(now_ms)
    verdict=""
    baseline_break "$name"
    if baseline_checks "$name" "$log.broken"; then verdict+="the checks passed on a broken host; "; fi
    verdict+="$(baseline_breakage_caught "$log.broken")"
    baseline_repair "$name"
    baseline_checks "$name" "$log" || verdict+="the checks still fail after the repair; "
    record "host baseline: breakage caught" "$start" "$verdict" "$(grep -c '^FAIL' "$log.broken") checks failed on the broken host"
}

# lynis_begin NAME: lynis audits the host in the background (two minutes, mostly waiting on its
# probes), so it overlaps steps that measure no latency; lynis_end records its row.
LYNIS_PID=''
LYNIS_START=''
lynis_begin() {
    LYNIS_START=$(now_ms)
    lynis_index "$1" >"$E2E_STATE/log/lynis-index" &
    LYNIS_PID=$!
}

lynis_end() {
    local index verdict=""
    wait "$LYNIS_PID" || true
    index="$(cat "$E2E_STATE/log/lynis-index")"
    [[ "$index" =~ ^[0-9]+$ ]] || verdict="no lynis hardening index (see $E2E_STATE/log/lynis*.log); "
    [[ -n "$verdict" ]] || ((index >= E2E_LYNIS_MIN_INDEX)) || verdict="lynis hardening index $index < $E2E_LYNIS_MIN_INDEX; "
    record "host baseline: lynis hardening index ${index:-?}" "$LYNIS_START" "$verdict"
}
