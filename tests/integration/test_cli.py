"""The command line of the contract."""
import os
import sqlite3
import subprocess
import tempfile
import unittest

from harness import BIN, ROOT, Server, run_cli


class CliTest(unittest.TestCase):
    def test_help_and_version(self):
        p = subprocess.run([BIN, "--version"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^sabor \d+\.\d+\.\d+")
        p = subprocess.run([BIN, "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        for cmd in ["serve", "migrate", "user add", "token create", "demo", "backup"]:
            self.assertIn(cmd, p.stdout)
        p = subprocess.run([BIN, "backup", "--help"], capture_output=True, text=True)
        self.assertIn("consistent copy", p.stdout)
        p = subprocess.run([BIN, "serve", "extra"], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unexpected argument", p.stderr)
        p = subprocess.run([BIN, "serve", "--data-dir", "--listen", "127.0.0.1:0"], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("needs a value", p.stderr)
        p = subprocess.run([BIN, "frobnicate"], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unknown command", p.stderr)

    def test_user_add_errors_are_one_sentence_and_change_nothing(self):
        d = tempfile.mkdtemp()
        run_cli(d, "migrate")
        p = run_cli(d, "user", "add", "--email", "not-an-address", "--name", "X", stdin="password-1\n", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not an e-mail address", p.stderr)
        p = run_cli(d, "user", "add", "--email", "a@b.bg", "--name", "X", stdin="short\n", check=False)
        self.assertIn("at least 8", p.stderr)
        run_cli(d, "user", "add", "--email", "a@b.bg", "--name", "Анна", "--role", "admin", stdin="password-1\n")
        p = run_cli(d, "user", "add", "--email", "A@B.bg", "--name", "X", stdin="password-2\n", check=False)
        self.assertIn("already exists", p.stderr)
        con = sqlite3.connect(os.path.join(d, "sabor.db"))
        self.assertEqual(con.execute("SELECT email, role FROM users").fetchall(), [("a@b.bg", "admin")])
        con.close()
        p = run_cli(d, "token", "create", "--email", "nobody@b.bg", check=False)
        self.assertIn("no account", p.stderr)
        tok = run_cli(d, "token", "create", "--email", "a@b.bg").stdout
        self.assertEqual(len(tok.strip().splitlines()), 1)

    def test_commands_need_a_migrated_database(self):
        d = tempfile.mkdtemp()
        p = run_cli(d, "token", "create", "--email", "a@b.bg", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("sabor migrate", p.stderr)

    def test_demo_loads_once(self):
        d = tempfile.mkdtemp()
        first = run_cli(d, "demo")
        self.assertIn("demo organiser:", first.stdout)
        self.assertTrue(os.path.exists(os.path.join(d, "demo-credentials.txt")))
        second = run_cli(d, "demo")
        self.assertIn("already loaded", second.stdout)
        con = sqlite3.connect(os.path.join(d, "sabor.db"))
        self.assertEqual(con.execute("SELECT COUNT(*) FROM events").fetchone()[0], 5)
        self.assertEqual(con.execute("SELECT capacity FROM events WHERE city = 'Русе'").fetchone()[0], 108)
        con.close()

    def test_backup_while_the_server_runs(self):
        s = Server(demo=True)
        try:
            target = os.path.join(s.data_dir, "copy.db")
            p = s.cli("backup", target)
            self.assertIn("backup written", p.stdout)
            con = sqlite3.connect(target)
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            self.assertEqual(con.execute("SELECT COUNT(*) FROM events").fetchone()[0], 5)
            con.close()
            p = s.cli("backup", target, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("exists already", p.stderr)
            self.assertEqual(s.request("GET", "/healthz").status, 200)
        finally:
            s.close()

    def test_bad_config_stops_the_start_with_a_sentence(self):
        d = tempfile.mkdtemp()
        cfg = os.path.join(d, "bad.toml")
        with open(cfg, "w") as f:
            f.write("[server]\nthreads = \"two\"\n")
        p = subprocess.run([BIN, "serve", "--config", cfg, "--data-dir", d], capture_output=True, text=True, cwd=ROOT, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("[server] threads must be an integer", p.stderr)
        # Floats, also out of an integer's range: the same sentence. (toml++ converted those
        # with undefined behaviour, which only clang's UBSan in tests/fuzz/fuzz_config sees.)
        for value in ("2.5e22", "3.0", "-1e300"):
            with open(cfg, "w") as f:
                f.write(f"[server]\nthreads = {value}\n")
            p = subprocess.run([BIN, "serve", "--config", cfg, "--data-dir", d], capture_output=True, text=True,
                               cwd=ROOT, timeout=30)
            self.assertNotEqual(p.returncode, 0, value)
            self.assertIn("[server] threads must be an integer", p.stderr, value)
            self.assertNotIn("runtime error", p.stderr, value)


    def test_broken_template_stops_the_start_with_its_name(self):
        import shutil
        d = tempfile.mkdtemp()
        web = os.path.join(d, "web")
        shutil.copytree(os.path.join(ROOT, "web"), web)
        with open(os.path.join(web, "templates", "events", "show.mustache"), "a") as f:
            f.write("{{#event}} unclosed")
        env = dict(os.environ, SABOR_SERVER_WEB_DIR=web)
        p = subprocess.run([BIN, "serve", "--data-dir", d, "--listen", "127.0.0.1:0"], capture_output=True, text=True,
                           cwd=ROOT, env=env, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("events/show", p.stderr)
        shutil.rmtree(d)


if __name__ == "__main__":
    unittest.main()
