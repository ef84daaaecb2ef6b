"""``workbench backup | restore | user add | user member``: the operator's commands."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from evaluation.auth import SYSTEM
from evaluation.cli.common import Commands
from evaluation.config import get_settings
from evaluation.files.data import write_file
from evaluation.storage.backup import create_backup, restore_backup
from evaluation.storage.blobs import attachment_store
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.repo import list_evaluations
from evaluation.storage.users import add_member, authenticate, create_user, has_users, list_users, remove_member


def register(commands: Commands, parser_class: type[argparse.ArgumentParser]) -> None:
    b = commands.add_parser("backup", help="把整个数据库和附件备份为一个 .zip 文件")
    b.add_argument("-o", "--output", required=True)
    b.set_defaults(func=cmd_backup)
    rs = commands.add_parser("restore", help="从备份文件恢复到空数据库（有错则不写入）")
    rs.add_argument("archive")
    rs.set_defaults(func=cmd_restore)
    u = commands.add_parser("user", help="账户管理")
    sub = u.add_subparsers(dest="user_command", required=True, parser_class=parser_class)
    ua = sub.add_parser("add", help="新建账户（空数据库的第一个账户须为管理员）")
    ua.add_argument("username")
    ua.add_argument("--role", required=True, choices=["管理员", "评价人员", "复核人员", "管理者"])
    ua.add_argument("--name", help="显示名称")
    ua.add_argument("--admin", help="已有用户时：执行此操作的管理员账户")
    ua.add_argument(
        "--password-stdin", action="store_true", help="从标准输入读取密码（第一行新密码，第二行管理员密码）"
    )
    ua.set_defaults(func=cmd_user_add)
    um = sub.add_parser("member", help="把账户加入（或用 --remove 移出）评价")
    um.add_argument("username")
    um.add_argument("evaluations", nargs="+", metavar="评价编号")
    um.add_argument("--remove", action="store_true", help="移出而不是加入")
    um.add_argument("--admin", required=True, help="执行此操作的管理员账户")
    um.add_argument("--password-stdin", action="store_true", help="从标准输入读取管理员密码")
    um.set_defaults(func=cmd_user_member)


def cmd_backup(args: argparse.Namespace) -> int:
    out = Path(args.output)
    engine = open_database()
    data = create_backup(engine, user=SYSTEM, attachments=attachment_store(engine))
    write_file(out, data)
    print(f"已备份数据库和附件：{out}（{len(data) // 1024} KB）")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    path = Path(args.archive)
    if not path.is_file():
        print(f"错误：备份文件不存在：{path}", file=sys.stderr)
        return 1
    engine = open_database()
    counts = restore_backup(engine, path.read_bytes(), user=SYSTEM, attachments=attachment_store(engine))
    print("已恢复：" + "，".join(f"{name} {n} 行" for name, n in counts.items()))
    from evaluation.storage.results import prepare_snapshot  # pandas: only for the commands that need it

    prepare_snapshot(engine, get_settings().data_dir)  # the first 对比分析 afterwards starts from it
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create an account; the password comes from standard input or an interactive prompt, never a default."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("新密码：")
        if getpass.getpass("再次输入：") != password:
            print("错误：两次输入的密码不一致", file=sys.stderr)
            return 1
    engine = open_database()
    with session_scope(engine) as session:
        actor = None
        if has_users(session=session):
            if not args.admin:
                print("错误：已有用户，请用 --admin 指定管理员账户并输入其密码", file=sys.stderr)
                return 1
            admin_password = (
                sys.stdin.readline().rstrip("\n")
                if args.password_stdin
                else getpass.getpass(f"管理员 {args.admin} 的密码：")
            )
            actor = authenticate(session=session, username=args.admin, password=admin_password)
        user = create_user(
            session=session,
            username=args.username,
            password=password,
            role=args.role,
            display_name=args.name or "",
            actor=actor,
        )
    print(f"已创建账户：{user.label}")
    return 0


def cmd_user_member(args: argparse.Namespace) -> int:
    """Add an account to evaluations (or remove it), as an administrator; all or nothing."""
    admin_password = (
        sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(f"管理员 {args.admin} 的密码：")
    )
    with session_scope(open_database()) as session:
        actor = authenticate(session=session, username=args.admin, password=admin_password)
        user = next((u for u in list_users(session=session) if u.username == args.username), None)
        known = {e.key for e in list_evaluations(session=session)}
        unknown = [k for k in args.evaluations if k not in known]
        if user is None or unknown:
            what = [f"账户“{args.username}”不存在"] if user is None else []
            what += [f"评价“{k}”不存在" for k in unknown]
            print("错误：" + "；".join(what) + "（未做任何修改）", file=sys.stderr)
            return 1
        for key in args.evaluations:
            if args.remove:
                remove_member(session=session, actor=actor, user_id=user.id, evaluation_key=key)
            else:
                add_member(session=session, actor=actor, user_id=user.id, evaluation_key=key)
    print(f"已将 {user.label} {'移出' if args.remove else '加入'}：{'、'.join(args.evaluations)}")
    return 0
