"""Drives a command through a real pseudo-terminal: waits for each prompt text, then types.

Usage: python3 _pty_drive.py STEPS_JSON -- command args...
STEPS_JSON is a list of [text to wait for, keys to send]. Prints the exit code last.
"""
import os, pty, sys, time, select, fcntl, termios, struct
import json, re
steps = json.loads(sys.argv[1])
cmd = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
out = b""
seen = 0
def read_until(pat, timeout=20):
    global out, seen
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try: chunk = os.read(fd, 4096)
            except OSError: return False
            out += chunk
            plain = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", out[seen:])
            if pat.encode() in plain:
                seen = len(out)
                return True
    return False
for pat, keys in steps:
    if not read_until(pat):
        print("TIMEOUT waiting for", pat); print(out.decode(errors="replace")[-2000:]); sys.exit(1)
    time.sleep(0.15)
    os.write(fd, keys.encode())
read_until("__never__", 30)  # returns at EOF, when the command exits
_, status = os.waitpid(pid, 0)
print("EXIT", os.waitstatus_to_exitcode(status))
