"""The event and the participants the registration modules share."""


EVENT = {
    "title": "Семинар „Мрежи“",
    "kind": "seminar",
    "starts_at": "2031-08-11T10:00:00+03:00",
    "ends_at": "2031-08-11T17:00:00+03:00",
    "venue": "Доходно здание",
    "city": "Русе",
    "capacity": 2,
    "registration_mode": "open",
    "organisers": ["Община Русе"],
}


def person(i, **kw):
    p = {"name": f"Участник {i}", "email": f"p{i}@example.bg", "organisation": "Община Русе",
         "position": "експерт", "consent": True}
    p.update(kw)
    return p
