#include "programme/demo.hpp"

#include "programme/repository.hpp"
#include "view/dates.hpp"

#include <map>

namespace sabor::programme {

void load_demo_programme(storage::database& db, const events::event& e) {
    repository repo(db);
    auto day1 = view::format_input_local(e.starts_at, e.timezone).substr(0, 10);
    auto day2 = view::format_input_local(e.ends_at, e.timezone).substr(0, 10);
    auto at = [&](const std::string& day, const char* hhmm) {
        return view::parse_local(day + "T" + hhmm, e.timezone).value_or(e.starts_at);
    };

    std::map<std::string, std::int64_t> who;
    auto add_speaker = [&](const char* key, const char* honorific, const char* name, const char* position,
                           const char* organisation, const char* bio) {
        speaker s;
        s.event_id = e.id;
        s.honorific = honorific;
        s.name = name;
        s.position = position;
        s.organisation = organisation;
        s.bio = bio;
        repo.insert(s);
        who[key] = s.id;
    };
    add_speaker("ivanova", "г-жа", "Милена Иванова", "областен управител", "Областна администрация Кърджали",
                "Юрист по образование, двадесет години в държавната администрация, от 2023 г. областен управител на "
                "област Кърджали.");
    add_speaker("georgiev", "д-р", "Стефан Георгиев", "заместник изпълнителен директор", "Агенция за социално подпомагане",
                "Доктор по социална политика. Участвал в работната група за Закона за социалните услуги.");
    add_speaker("koleva", "проф. д-р", "Надежда Колева", "преподавател по социална работа",
                "Пловдивски университет „Паисий Хилендарски“",
                "Изследва социалните услуги в общността и участието на гражданските организации в тях.");
    add_speaker("mehmedov", "г-н", "Айхан Мехмедов", "председател", "Сдружение „Граждански инициативи – Родопи“",
                "Ръководи проекта „Силни граждански организации за социално включване“. Работи с НПО в Родопите от 2008 г.");
    add_speaker("petrova", "г-жа", "Десислава Петрова", "главен експерт „Социални дейности“", "Община Кърджали",
                "Отговаря за планирането на социалните услуги в общината.");
    add_speaker("dimitrov", "инж.", "Петър Димитров", "управител", "Център за социална рехабилитация „Надежда“, Момчилград",
                "Създател на първия център за социална рехабилитация и интеграция в Източните Родопи.");
    add_speaker("stoyanova", "г-жа", "Елена Стоянова", "експерт „Политики“", "Национална мрежа за децата",
                "Работи по застъпничество за качествени услуги за деца и семейства.");
    add_speaker("angelov", "доц. д-р", "Иван Ангелов", "изследовател", "Институт за изследване на обществата и знанието при БАН",
                "Ръководител на националното проучване на капацитета на гражданските организации (2024–2025).");
    add_speaker("hasanova", "г-жа", "Севда Хасанова", "социален работник", "Комплекс за социални услуги, Крумовград",
                "Организира мобилни социални услуги за възрастни хора в планинските села на общината.");

    auto add_session = [&](const std::string& day, const char* from, const char* to, const char* title, const char* kind,
                           const char* room, const char* chair) {
        session s;
        s.event_id = e.id;
        s.title = title;
        s.kind = kind;
        s.starts_at = at(day, from);
        s.ends_at = at(day, to);
        s.room = room;
        s.chair_id = chair ? who[chair] : 0;
        repo.insert(s);
        return s;
    };
    std::int64_t position = 0;
    auto add_talk = [&](const session& s, const char* title, const char* from, const char* to,
                        std::vector<std::pair<const char*, const char*>> speakers, const char* abstract = "") {
        talk t;
        t.event_id = e.id;
        t.session_id = s.id;
        t.title = title;
        t.abstract = abstract;
        t.starts_at = from ? at(view::format_input_local(s.starts_at, e.timezone).substr(0, 10), from) : 0;
        t.ends_at = to ? at(view::format_input_local(s.starts_at, e.timezone).substr(0, 10), to) : 0;
        t.position = position++;
        for (auto [key, role] : speakers) t.speakers.push_back({who[key], role});
        repo.insert(t);
    };
    const char* hall = "Голяма зала";

    add_session(day1, "09:00", "09:30", "Регистрация на участниците", "break", "Фоайе", nullptr);
    auto opening = add_session(day1, "09:30", "10:00", "Откриване", "plenary", hall, nullptr);
    position = 0;
    add_talk(opening, "Приветствие", "09:30", "09:40", {{"ivanova", "speaker"}});
    add_talk(opening, "Проектът „Силни граждански организации за социално включване“", "09:40", "10:00",
             {{"mehmedov", "speaker"}}, "Цели, дейности и очаквани резултати на проекта.");
    auto plenary = add_session(day1, "10:00", "11:30", "Гражданските организации в социалните услуги", "plenary", hall, "koleva");
    position = 0;
    add_talk(plenary, "Капацитет на гражданските организации в Южна централна България: резултати от проучване", "10:00",
             "10:30", {{"angelov", "speaker"}},
             "Данни от анкета сред 214 организации: персонал, финансиране, услуги и партньорства с общините.");
    add_talk(plenary, "Законът за социалните услуги: какво се промени за доставчиците", "10:30", "11:00",
             {{"georgiev", "speaker"}});
    add_talk(plenary, "Въпроси и дискусия", "11:00", "11:30", {{"koleva", "moderator"}});
    add_session(day1, "11:30", "12:00", "Кафе пауза", "break", "Фоайе", nullptr);
    auto panel = add_session(day1, "12:00", "13:30", "Добри практики от общините", "panel", hall, "stoyanova");
    position = 0;
    add_talk(panel, "Социални услуги в общността в Община Кърджали", nullptr, nullptr, {{"petrova", "panellist"}});
    add_talk(panel, "Мобилни услуги за възрастни хора в планинските села", nullptr, nullptr, {{"hasanova", "panellist"}},
             "Как екип от двама социални работници и шофьор обслужва 38 села.");
    add_talk(panel, "Центърът за социална рехабилитация „Надежда“: 15 години в Момчилград", nullptr, nullptr,
             {{"dimitrov", "panellist"}});
    add_session(day1, "13:30", "14:30", "Обяд", "break", "Ресторант „Арпезос“", nullptr);
    auto workshop = add_session(day1, "14:30", "16:30", "Кандидатстване по Програма „Развитие на човешките ресурси“",
                                "workshop", "Зала 2", "mehmedov");
    position = 0;
    add_talk(workshop, "Практически казус: от идеята до проектното предложение", nullptr, nullptr,
             {{"mehmedov", "speaker"}, {"koleva", "speaker"}},
             "Работа в малки групи върху реален казус; носете лаптоп.");

    auto discussion = add_session(day2, "09:30", "11:00", "Финансиране и устойчивост на социалните услуги", "discussion",
                                  hall, "mehmedov");
    position = 0;
    add_talk(discussion, "Кръгла маса: държавно делегирани дейности, проекти и собствени приходи", nullptr, nullptr,
             {{"mehmedov", "moderator"}, {"georgiev", "panellist"}, {"ivanova", "panellist"}, {"stoyanova", "panellist"}});
    add_session(day2, "11:00", "11:30", "Кафе пауза", "break", "Фоайе", nullptr);
    auto closing = add_session(day2, "11:30", "13:00", "Препоръки и следващи стъпки", "plenary", hall, "koleva");
    position = 0;
    add_talk(closing, "Препоръки за промени в нормативната уредба", "11:30", "12:30", {{"koleva", "speaker"}});
    add_talk(closing, "Закриване на конференцията", "12:30", "13:00", {{"ivanova", "speaker"}, {"mehmedov", "speaker"}});
    add_session(day2, "13:00", "14:00", "Обяд", "break", "Ресторант „Арпезос“", nullptr);
    add_session(day2, "14:00", "16:00", "Посещение на Комплекса за социални услуги в Кърджали", "workshop",
                "Изнесено посещение", "petrova");
}

}  // namespace sabor::programme
