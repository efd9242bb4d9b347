#!/usr/bin/python3
"""Commands offered to task scripts, one program dispatched on the name it is called by.

/usr/local/bin/<command> are symlinks to this file. Each command edits the feedback store
(ingi_common.Store) or reads the student's input; the runtime turns the store into the
`result` frame once the run script has ended. Usage errors exit with status 2 and a line on
stderr; nothing here ever writes to the grading container's protocol stream.
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from ingi_common import (  # noqa: E402
    HOOKS_MARKER, PROBLEM_ID_RE, TEST_ID_RE, Store, load_input,
)

RESULTS = ("success", "failed", "error", "crash", "timeout", "overflow", "killed")


def fail(message, status=2):
    sys.stderr.write("%s: %s\n" % (os.path.basename(sys.argv[0]), message))
    sys.exit(status)


def problem_id(value):
    if not PROBLEM_ID_RE.match(value):
        raise argparse.ArgumentTypeError("problem ids use only letters, digits, '-', '.' and '_'")
    return value


def read_message(args):
    if args.message is not None:
        return args.message
    return sys.stdin.buffer.read().decode("utf-8", "replace")


def set_problem(data, pid, result=None, text=None, append=False):
    current = data["problems"].get(pid) or ["", ""]
    if result is not None:
        current[0] = result
    if text is not None:
        current[1] = current[1] + text if append else text
    data["problems"][pid] = current


def cmd_feedback_result(argv):
    p = argparse.ArgumentParser(prog="feedback-result",
                                description="Set the result of the submission, or of one problem with -i.")
    p.add_argument("-i", "--id", type=problem_id, help="problem id")
    p.add_argument("result", choices=RESULTS)
    a = p.parse_args(argv)
    with Store() as data:
        if a.id:
            set_problem(data, a.id, result=a.result)
        else:
            data["result"] = a.result


def cmd_feedback_grade(argv):
    p = argparse.ArgumentParser(prog="feedback-grade", description="Set the grade (a number, e.g. 87.5).")
    p.add_argument("grade")
    a = p.parse_args(argv)
    try:
        grade = float(a.grade)
    except ValueError:
        fail("not a number: %r" % a.grade)
    if not math.isfinite(grade):
        fail("the grade must be a finite number")
    with Store() as data:
        data["grade"] = grade


def cmd_feedback_msg(argv):
    p = argparse.ArgumentParser(prog="feedback-msg",
                                description="Set (or with -a, extend) the feedback text of the submission, "
                                            "or of one problem with -i. Without -m the text is read from stdin.")
    p.add_argument("-m", "--message", help="the text (default: read stdin)")
    p.add_argument("-a", "--append", action="store_true", help="append instead of replacing")
    p.add_argument("-i", "--id", type=problem_id, help="problem id")
    a = p.parse_args(argv)
    text = read_message(a)
    with Store() as data:
        if a.id:
            set_problem(data, a.id, text=text, append=a.append)
        else:
            data["text"] = data.get("text", "") + text if a.append else text


def json_or_text(raw, as_json):
    if not as_json:
        return raw
    try:
        return json.loads(raw)
    except ValueError as e:
        fail("invalid JSON value: %s" % e)


def parse_key_value(argv, prog, description):
    """KEY VALUE arguments, VALUE a string or, with -j, JSON."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("-j", "--json", action="store_true", help="parse VALUE as JSON")
    p.add_argument("key")
    p.add_argument("value")
    return p.parse_args(argv)


def cmd_feedback_custom(argv):
    a = parse_key_value(argv, "feedback-custom", "Set a custom value (a string, or any JSON value with -j).")
    value = json_or_text(a.value, a.json)
    with Store() as data:
        data["custom"][a.key] = value


def cmd_feedback_tests(argv):
    a = parse_key_value(argv, "feedback-tests",
                        "Set a test/tag value (a string, or a JSON value that is not an object with -j).")
    if not TEST_ID_RE.match(a.key):
        fail("test keys use only letters, digits, '-', '.', '_' and '*'")
    value = json_or_text(a.value, a.json)
    if isinstance(value, dict):
        fail("a test value may not be an object")
    with Store() as data:
        data["tests"][a.key] = value


def cmd_feedback_state(argv):
    p = argparse.ArgumentParser(prog="feedback-state",
                                description="Set the state string kept for the student's next submission.")
    p.add_argument("state")
    a = p.parse_args(argv)
    with Store() as data:
        data["state"] = a.state


def cmd_getinput(argv):
    p = argparse.ArgumentParser(
        prog="getinput",
        description="Print the student's answer to a problem, byte for byte, without an added newline. "
                    "For a file upload, ID prints the file's bytes, ID:filename its name, ID:value its bytes. "
                    "Keys starting with @ (e.g. @username, @state) work too.")
    p.add_argument("id")
    a = p.parse_args(argv)
    data = load_input()
    key, _, sub = a.id.partition(":")
    if key not in data:
        fail("no input named %r" % key, 1)
    value = data[key]
    if isinstance(value, dict):
        if sub:
            if sub not in value:
                fail("input %r has no field %r" % (key, sub), 1)
            value = value[sub]
        elif "value" in value:
            value = value["value"]
    elif sub:
        fail("input %r is not a file upload" % key, 1)
    if isinstance(value, bytes):
        out = value
    elif isinstance(value, str):
        out = value.encode("utf-8")
    else:
        out = json.dumps(value, ensure_ascii=False).encode("utf-8")
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()


def cmd_test_hook(argv):
    p = argparse.ArgumentParser(
        prog="test-hook",
        description="Test-only: `test-hook exit CODE` makes the runtime exit with CODE, without sending any "
                    "result, once the run script has ended. Only in tasks that contain the file test-hooks.")
    p.add_argument("action", choices=("exit",))
    p.add_argument("code", type=int)
    a = p.parse_args(argv)
    if not os.path.exists(HOOKS_MARKER):
        fail("test hooks are off for this task (no %s)" % HOOKS_MARKER, 1)
    with Store() as data:
        data["_hook_exit"] = a.code & 0xFF


COMMANDS = {
    "feedback-result": cmd_feedback_result,
    "feedback-grade": cmd_feedback_grade,
    "feedback-msg": cmd_feedback_msg,
    "feedback-custom": cmd_feedback_custom,
    "feedback-tests": cmd_feedback_tests,
    "feedback-state": cmd_feedback_state,
    "set-state": cmd_feedback_state,
    "getinput": cmd_getinput,
    "test-hook": cmd_test_hook,
}


def main():
    name = os.path.basename(sys.argv[0])
    command = COMMANDS.get(name)
    if command is None:
        fail("unknown command; call me as one of: " + ", ".join(sorted(COMMANDS)))
    try:
        command(sys.argv[1:])
    except FileNotFoundError as e:
        fail("the grading runtime's files are missing (%s): run this inside a job" % e.filename, 1)


if __name__ == "__main__":
    main()
