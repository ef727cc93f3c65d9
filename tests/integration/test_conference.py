"""Issue 5 done as one story: an organiser builds the programme of a two-day conference
through the API, uploads its presentations, and participants download them from the
programme page, their personal page and the announcement's link, for each visibility."""
import io
import re
import time
import unittest
import urllib.parse
import zipfile
from datetime import datetime, timedelta, timezone

from smtp_sink import Sink
from test_materials import MaterialsTestBase, make_pdf, make_pptx, sha

DAY1, DAY2 = "2031-09-10", "2031-09-11"


def at(day, hhmm):
    return f"{day}T{hhmm}:00+03:00"


def unescape(href):
    return href.replace("&amp;", "&")


class ConferenceTest(MaterialsTestBase):
    def ok(self, r, status=201):
        self.assertEqual(r.status, status, r.text)
        return r.json()

    def post(self, path, body):
        return self.ok(self.api("POST", path, body))

    def build_programme(self, event_id):
        """Speakers, sessions on both days, talks with speakers in roles; returns the talks by key."""
        sp = {}
        for key, honorific, name, org in [("kol", "д-р", "Елена Колева", "Община Русе"),
                                          ("pet", "проф.", "Иван Петров", "Русенски университет"),
                                          ("dim", "г-жа", "Мария Димитрова", "Сдружение „Дунав“"),
                                          ("sto", "инж.", "Стоян Стоянов", "Областна администрация")]:
            sp[key] = self.post(f"/api/v1/events/{event_id}/speakers",
                                {"honorific": honorific, "name": name, "position": "експерт", "organisation": org})["id"]
        ss = {}
        for key, day, start, end, title, kind, chair in [
                ("open", DAY1, "09:00", "10:30", "Откриване и добри практики", "plenary", sp["pet"]),
                ("panel", DAY1, "11:00", "12:30", "Дискусия: услуги в общността", "panel", sp["sto"]),
                ("work", DAY2, "09:30", "12:00", "Работилница: проекти", "workshop", None)]:
            body = {"title": title, "kind": kind, "starts_at": at(day, start), "ends_at": at(day, end), "room": "Зала 1"}
            if chair:
                body["chair_id"] = chair
            ss[key] = self.post(f"/api/v1/events/{event_id}/sessions", body)["id"]
        tt = {}
        for key, session, title, speakers in [
                ("law", "open", "Законът за социалните услуги", [{"id": sp["kol"], "role": "speaker"}]),
                ("data", "open", "Данни и решения", [{"id": sp["pet"]}, {"id": sp["dim"], "role": "speaker"}]),
                ("panel", "panel", "Кой плаща услугите?", [{"id": sp["sto"], "role": "moderator"},
                                                           {"id": sp["kol"], "role": "panellist"},
                                                           {"id": sp["dim"], "role": "panellist"}]),
                ("proj", "work", "Как се пише проект", [{"id": sp["dim"]}])]:
            t = self.post(f"/api/v1/events/{event_id}/talks",
                          {"session_id": ss[session], "title": title, "speakers": speakers})
            self.assertEqual([x["id"] for x in t["speakers"]], [x["id"] for x in speakers])
            tt[key] = t["id"]
        return sp, ss, tt

    def programme_links(self, slug, query="", headers=None):
        page = self.get(f"/events/{slug}/programme{query}", headers)
        self.assertEqual(page.status, 200)
        return page.text, [unescape(h) for h in re.findall(r'href="(/materials/\d+/[^"]+)"', page.text)]

    def test_a_two_day_conference_from_programme_to_downloads(self):
        ev = self.create_event(title="Конференция „Услуги в общността“", publish=False)
        sp, ss, tt = self.build_programme(ev["id"])
        prog = self.ok(self.api("GET", f"/api/v1/events/{ev['id']}/programme"), 200)
        self.assertEqual([d["date"] for d in prog["days"]], [DAY1, DAY2])
        self.assertEqual([t["title"] for t in prog["days"][0]["sessions"][0]["talks"]],
                         ["Законът за социалните услуги", "Данни и решения"])
        self.assertEqual([(s["name"], s["role"]) for s in prog["days"][0]["sessions"][1]["talks"][0]["speakers"]],
                         [("Стоян Стоянов", "moderator"), ("Елена Колева", "panellist"), ("Мария Димитрова", "panellist")])

        # Presentations of several talks: real PDF and PPTX, Cyrillic names.
        files = {"law": ("Колева – Законът за услугите.pdf", make_pdf()),
                 "data": ("Петров, Данни и решения.pptx", make_pptx()),
                 "proj": ("Как се пише проект.pdf", make_pdf())}
        uploaded = {}
        for key, (name, data) in files.items():
            m = self.ok(self.upload(f"/api/v1/talks/{tt[key]}/materials", data, name))
            self.assertEqual((m["talk_id"], m["filename"], m["sha256"]), (tt[key], name, sha(data)))
            uploaded[key] = m
        by_path = {urllib.parse.urlsplit(m["url"]).path: files[k][1] for k, m in uploaded.items()}
        self.ok(self.api("PATCH", f"/api/v1/events/{ev['id']}", {"materials_visibility": "registered"}), 200)
        self.ok(self.api("POST", f"/api/v1/events/{ev['id']}/publish"), 200)

        # Registered only: an anonymous visitor sees the programme, but no links and no files.
        text, links = self.programme_links(ev["slug"])
        for title in ("Законът за социалните услуги", "Кой плаща услугите?", "Как се пише проект", "д-р Елена Колева"):
            self.assertIn(title, text)
        self.assertIn("Община Русе", text)
        self.assertEqual(links, [])
        self.assertIn("не са публични", text)
        for path in by_path:
            self.assertEqual(self.get(path).status, 404)
        self.assertEqual(self.get(f"/events/{ev['slug']}/materials.zip").status, 404)
        # The organiser (a Bearer token) sees every link on the same page; anonymous still none.
        _, links = self.programme_links(ev["slug"], headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(sorted(links), sorted(by_path))
        self.assertEqual(self.programme_links(ev["slug"])[1], [])

        # A registrant downloads through their personal link, and from the programme it links.
        reg = self.register(ev["id"], 1)
        self.sink.wait_for(1)  # the confirmation
        personal = self.get(urllib.parse.urlsplit(reg["manage_url"]).path)
        self.assertEqual(personal.status, 200)
        mine = [unescape(h) for h in re.findall(r'href="(/materials/\d+/[^"]+\?key=[^"]+)"', personal.text)]
        self.assertEqual(len(mine), 3)
        for link in mine:
            r = self.get(link)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, by_path[urllib.parse.urlsplit(link).path])
        prog_link = unescape(re.search(r'href="(/events/[^"]+/programme\?key=[^"]+)"', personal.text).group(1))
        _, keyed = self.programme_links(ev["slug"], "?" + urllib.parse.urlsplit(prog_link).query)
        self.assertEqual(sorted(keyed), sorted(mine))
        self.assertEqual(self.programme_links(ev["slug"])[1], [])  # the keyed page was not shared

        # "The presentations are online": the real SMTP server gets it, and its link works.
        self.clear_mail()
        r = self.ok(self.api("POST", f"/api/v1/events/{ev['id']}/materials/announce", {"audience": "registered"}), 202)
        self.assertEqual(r["queued"], 1)
        (_, rcpts, raw), = self.sink.wait_for(1)
        self.assertEqual(rcpts, [reg["email"]])
        msg = Sink.parse(raw)
        self.assertIn("са онлайн", str(msg["Subject"]))
        link = urllib.parse.urlsplit(re.search(r"(http://\S+/materials\?key=\S+)",
                                               msg.get_body(("plain",)).get_content()).group(1))
        page = self.get(link.path + "?" + link.query)
        self.assertEqual(page.status, 200)
        from_mail = [unescape(h) for h in re.findall(r'href="(/materials/\d+/[^"]+)"', page.text)]
        self.assertEqual(len(from_mail), 3)
        self.assertEqual(self.get(from_mail[0]).body, by_path[urllib.parse.urlsplit(from_mail[0]).path])

        # Public: the programme page's links download directly, with the Cyrillic name.
        self.ok(self.api("PATCH", f"/api/v1/events/{ev['id']}", {"materials_visibility": "public"}), 200)
        text, links = self.programme_links(ev["slug"])
        self.assertEqual(sorted(links), sorted(by_path))
        self.assertNotIn("не са публични", text)
        law = urllib.parse.urlsplit(uploaded["law"]["url"]).path
        # The link sits in the talk it belongs to.
        self.assertIn(law, text.split(f'id="talk-{tt["law"]}"')[1].split('id="talk-')[0])
        for path, data in by_path.items():
            r = self.get(path)
            self.assertEqual(r.status, 200)
            self.assertEqual(sha(r.body), sha(data))
        r = self.get(law)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote("Колева – Законът за услугите.pdf"),
                      r.header("Content-Disposition"))

        # The ZIP of all has every file.
        r = self.get(f"/events/{ev['slug']}/materials.zip")
        self.assertEqual(r.status, 200)
        z = zipfile.ZipFile(io.BytesIO(r.body))
        self.assertIsNone(z.testzip())
        self.assertEqual({n: sha(z.read(n)) for n in z.namelist()}, {name: sha(data) for name, data in files.values()})

    def test_the_programme_page_is_not_served_stale_when_the_release_time_passes(self):
        ev = self.create_event(title="Форум „Пазарът на труда“")
        _, _, tt = self.build_programme(ev["id"])
        m = self.ok(self.upload(f"/api/v1/talks/{tt['law']}/materials", make_pdf(), "Слайдове.pdf"))
        path = urllib.parse.urlsplit(m["url"]).path
        release = datetime.now(timezone.utc) + timedelta(seconds=3)
        self.ok(self.api("PATCH", f"/api/v1/events/{ev['id']}/materials/settings",
                         {"materials_visibility": "public",
                          "materials_release_at": release.strftime("%Y-%m-%dT%H:%M:%SZ")}), 200)
        for _ in range(2):  # a second visit would be the cached copy, if there were one
            text, links = self.programme_links(ev["slug"])
            self.assertEqual(links, [])
            self.assertIn("ще бъдат публикувани", text)
        time.sleep(max(0.0, (release - datetime.now(timezone.utc)).total_seconds()) + 1.1)
        text, links = self.programme_links(ev["slug"])
        self.assertEqual(links, [path])  # nothing was committed, yet the page is current
        self.assertNotIn("ще бъдат публикувани", text)
        self.assertEqual(self.get(path).status, 200)


if __name__ == "__main__":
    unittest.main()
