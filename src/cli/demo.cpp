#include "cli/demo.hpp"

#include "accounts/repository.hpp"
#include "events/repository.hpp"
#include "programme/demo.hpp"
#include "storage/settings.hpp"
#include "util/crypto.hpp"
#include "view/dates.hpp"

#include <chrono>

namespace sabor::cli {

using events::event;
using events::repository;
using events::event_status;
namespace {

// A day `days` from today at hh:mm local time: demo events stay in the future (or past).
std::int64_t local_day(std::int64_t days, const char* hhmm, const std::string& tz) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto date = view::format_input_local(now + days * 86400, tz).substr(0, 10);
    return view::parse_local(date + "T" + hhmm, tz).value_or(now);
}

const char* esf_programme = "Програма „Развитие на човешките ресурси“ 2021–2027";
const char* esf_statement =
    "Проектът се осъществява с финансовата подкрепа на Европейския социален фонд плюс чрез Програма „Развитие на "
    "човешките ресурси“ 2021–2027. Цялата отговорност за съдържанието се носи от организаторите и при никакви "
    "обстоятелства не може да се приема, че този документ отразява официалното становище на Европейския съюз.";

}  // namespace

std::optional<demo_account> load_demo(storage::database& db, const std::string& tz) {
    storage::transaction tx(db);
    if (storage::get_setting(db, "demo_loaded")) return std::nullopt;
    accounts::repository users(db);
    demo_account acc{"organizer@demo.sabor.bg", util::random_token(9)};
    std::int64_t uid = 0;
    if (auto existing = users.find_by_email(acc.email)) {
        uid = existing->id;
        acc.password.clear();  // someone made this account by hand: keep their password
    } else {
        uid = users.create_user(acc.email, "Демо организатор", "admin", util::hash_password(acc.password));
    }

    repository repo(db);
    auto add = [&](event e) {
        repo.insert(e, uid);
        return e;
    };

    event kardzhali;
    kardzhali.title = "Капацитет на гражданското общество в социалния сектор";
    kardzhali.kind = "conference";
    kardzhali.status = event_status::published;
    kardzhali.starts_at = local_day(21, "09:30", tz);
    kardzhali.ends_at = local_day(22, "16:00", tz);
    kardzhali.timezone = tz;
    kardzhali.venue = "Конферентна зала на Областна администрация Кърджали";
    kardzhali.address = "бул. „България“ 41";
    kardzhali.city = "Кърджали";
    kardzhali.capacity = 150;
    kardzhali.registration_mode = "open";
    kardzhali.description =
        "Двудневна национална конференция за ролята на неправителствените организации в предоставянето на социални "
        "услуги в общността.\n\nЩе бъдат представени добри практики от Южна централна България, резултати от "
        "проучване на капацитета на гражданските организации и предложения за промени в Закона за социалните "
        "услуги.\n\nПовече за проекта: https://www.eufunds.bg";
    kardzhali.organisers = {"Областна администрация Кърджали", "Сдружение „Граждански инициативи – Родопи“"};
    kardzhali.partners = {"Община Кърджали", "Агенция за социално подпомагане", "Национална мрежа за децата"};
    kardzhali.funding_programme = esf_programme;
    kardzhali.funding_project_code = "BG05SFPR002-2.001-0123";
    kardzhali.funding_project_title = "Силни граждански организации за социално включване";
    kardzhali.funding_statement = esf_statement;
    programme::load_demo_programme(db, add(kardzhali));

    event ruse;
    ruse.title = "Мрежи на доставчиците на социални услуги";
    ruse.kind = "seminar";
    ruse.status = event_status::published;
    ruse.starts_at = local_day(35, "10:00", tz);
    ruse.ends_at = local_day(35, "17:00", tz);
    ruse.timezone = tz;
    ruse.venue = "Доходно здание, Камерна зала";
    ruse.address = "пл. „Свобода“ 4";
    ruse.city = "Русе";
    ruse.capacity = 108;
    ruse.registration_mode = "moderated";
    ruse.description =
        "Семинар за изграждане на регионални мрежи между общински, частни и неправителствени доставчици на социални "
        "услуги в Северен централен район.\n\nСеминарът е предназначен за ръководители и специалисти от 108 "
        "организации – доставчици на социални услуги.";
    ruse.organisers = {"Община Русе"};
    ruse.partners = {"Регионална дирекция за социално подпомагане – Русе", "Русенски университет „Ангел Кънчев“"};
    ruse.funding_programme = esf_programme;
    ruse.funding_project_code = "BG05SFPR002-3.002-0045";
    ruse.funding_project_title = "Мрежа за качествени социални услуги в Русе";
    ruse.funding_statement = esf_statement;
    add(ruse);

    event gabrovo;
    gabrovo.title = "Форум за сътрудничество между общините и НПО";
    gabrovo.kind = "forum";
    gabrovo.status = event_status::published;
    gabrovo.starts_at = local_day(49, "10:00", tz);
    gabrovo.ends_at = local_day(49, "15:30", tz);
    gabrovo.timezone = tz;
    gabrovo.venue = "Музей на хумора и сатирата";
    gabrovo.address = "ул. „Брянска“ 68";
    gabrovo.city = "Габрово";
    gabrovo.capacity = 80;
    gabrovo.registration_mode = "open";
    gabrovo.description =
        "Регионален форум за партньорство между местната власт и гражданските организации: общи проекти, "
        "обществени консултации и съвместно кандидатстване по европейски програми.";
    gabrovo.organisers = {"Община Габрово", "Фондация „Местни общности“"};
    gabrovo.partners = {"Национално сдружение на общините в Република България"};
    gabrovo.funding_programme = "Програма „Добро управление“ 2021–2027";
    gabrovo.funding_project_code = "BG-DU-2024-017";
    gabrovo.funding_project_title = "Партньорство за добро местно управление";
    gabrovo.funding_statement =
        "Проектът се осъществява с финансовата подкрепа на Програма „Добро управление“ 2021–2027, съфинансирана от "
        "Европейския съюз.";
    add(gabrovo);

    event plovdiv;
    plovdiv.title = "Обучение за управление на проекти с европейско финансиране";
    plovdiv.kind = "training";
    plovdiv.status = event_status::published;
    plovdiv.starts_at = local_day(-30, "09:00", tz);
    plovdiv.ends_at = local_day(-29, "17:00", tz);
    plovdiv.timezone = tz;
    plovdiv.venue = "Хотел „Тримонциум“, зала „Пловдив“";
    plovdiv.city = "Пловдив";
    plovdiv.capacity = 30;
    plovdiv.description = "Практическо обучение за екипи на общини и НПО: планиране, отчитане и верификация на разходи.";
    plovdiv.organisers = {"Областна администрация Пловдив"};
    add(plovdiv);

    event draft;
    draft.title = "Работна среща на социалните работници (чернова)";
    draft.kind = "meeting";
    draft.starts_at = local_day(60, "14:00", tz);
    draft.ends_at = local_day(60, "17:00", tz);
    draft.timezone = tz;
    draft.city = "Кърджали";
    add(draft);

    storage::put_setting_once(db, "demo_loaded", "1");
    tx.commit();
    return acc;
}

}  // namespace sabor::cli
