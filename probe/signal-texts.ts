// The titles and details the collectors write into signals, in the probe's language
// (WATCHDOG_LANG). They reach people in the Telegram text, the Alertmanager summary and
// the extension's tooltips. Pure. Command lines, paths, host names, URLs, variable names
// and error codes are data and stay as they are; everything around them is translated.
export interface SignalTexts {
  /** `26h 5m` / `26 ч 5 мин`: two units at most, no trailing zero unit */
  duration(totalS: number): string;
  procTitle(label: string, pid: number, age: string): string;
  procWho(pid: number, comm: string, state: string, ppid: number, orphaned: boolean): string;
  procRunning(age: string, startedAt: string | null): string;
  procCmdline(cmdline: string): string;
  procReusedTitle(label: string, pid: number): string;
  procReusedDetail(pid: number): string;
  orchUp: string;
  orchDownTitle(error: string | null, failures: number, threshold: number): string;
  orchDownDetail(url: string, failures: number): string;
  ruleDetail(source: string): string;
  sourceFailed(name: string, error: string): string;
  depTitle(name: string, target: string, st: { down: boolean; ok: boolean; failures: number; of: number }): string;
  depOk(target: string, ms: number): string;
  depFailed(target: string, failures: number, of: number, error: string): string;
  diskUnreadableTitle(path: string, why: string): string;
  diskUnreadableDetail(path: string, why: string): string;
  diskReadableAgain(path: string): string;
  diskUnknown: string;
  diskTitle(path: string, at: string, ceiling: string, active: boolean): string;
  diskActiveDetail(path: string, at: string, ceilingPct: number, clearAt: string): string;
  diskIdleDetail(ceiling: string, clearAt: string): string;
  containerMissing: string;
  containerDownTitle(name: string, down: boolean, what: string): string;
  containerDownDetail(what: string): string;
  containerRestarted(name: string, by: number, at: string, total: number): string;
  containerUnhealthyTitle(name: string, sick: boolean, health: string): string;
  containerHealthFailing(streak: number | null, what: string): string;
  noHealthCheck: string;
  noContainer: string;
  deliveryFailingTitle(channel: string, error: string): string;
  deliveryFailingDetail(waiting: number): string;
  deliveryWorks(channel: string): string;
}

function durationIn(u: { d: string; h: string; m: string; s: string; sep: string }) {
  return (totalS: number): string => {
    const s = Math.max(0, Math.floor(totalS));
    const d = Math.floor(s / 86_400),
      h = Math.floor((s % 86_400) / 3600),
      m = Math.floor((s % 3600) / 60);
    const one = (n: number, unit: string) => `${n}${u.sep}${unit}`;
    const two = (a: string, n: number, unit: string) => (n > 0 ? `${a} ${one(n, unit)}` : a);
    if (d > 0) return two(one(d, u.d), h, u.h);
    if (h > 0) return two(one(h, u.h), m, u.m);
    if (m > 0) return two(one(m, u.m), s % 60, u.s);
    return one(s, u.s);
  };
}

export const SIGNAL_EN: SignalTexts = {
  duration: durationIn({ d: "d", h: "h", m: "m", s: "s", sep: "" }),
  procTitle: (label, pid, age) => `${label} ${pid} running for ${age}`,
  procWho: (pid, comm, state, ppid, orphaned) =>
    `pid ${pid} (${comm}, state ${state}), ppid ${ppid}${orphaned ? " (orphaned)" : ""}`,
  procRunning: (age, startedAt) => `running for ${age}${startedAt ? ` since ${startedAt}` : ""}`,
  procCmdline: (cmdline) => `cmdline: ${cmdline}`,
  procReusedTitle: (label, pid) => `${label} ${pid} ended (pid reused by a new process)`,
  procReusedDetail: (pid) => `pid ${pid} now belongs to a process with another start time`,
  orchUp: "orchestrator is up",
  orchDownTitle: (error, f, threshold) =>
    `orchestrator down: ${error ?? "no answer"} (${f} failed checks in a row, threshold ${threshold})`,
  orchDownDetail: (url, f) => `GET ${url} has not answered 2xx for ${f} consecutive checks`,
  ruleDetail: (source) => `rule ${source}`,
  sourceFailed: (name, error) => `source ${name} failed: ${error}`,
  depTitle: (name, target, st) =>
    st.down
      ? `dependency ${name} (${target}) is down`
      : st.ok
        ? `dependency ${name} (${target}) is up`
        : `dependency ${name} (${target}) failed ${st.failures} of ${st.of} checks`,
  depOk: (target, ms) => `TCP connect to ${target} took ${ms} ms`,
  depFailed: (target, f, of, error) =>
    `TCP connect to ${target} failed ${f} time(s) in a row (alerts at ${of}): ${error}`,
  diskUnreadableTitle: (path, why) => `host: cannot read disk usage of ${path}: ${why}`,
  diskUnreadableDetail: (path, why) =>
    `WATCHDOG_DISK_PATHS lists ${path}; statfs failed: ${why}. The other paths are still watched.`,
  diskReadableAgain: (path) => `host: disk usage of ${path} is readable again`,
  diskUnknown: "unknown (unreadable)",
  diskTitle: (path, at, ceiling, active) =>
    active ? `disk ${path} at ${at} (ceiling ${ceiling})` : `disk ${path} at ${at}, under the ceiling`,
  diskActiveDetail: (path, at, pct, clearAt) =>
    `${path} is ${at} full, at or above WATCHDOG_DISK_CEILING_PCT=${pct}; the alert clears at ${clearAt} or less`,
  diskIdleDetail: (ceiling, clearAt) => `ceiling ${ceiling}; fires at ${ceiling}, clears at ${clearAt}`,
  containerMissing: "missing (no such container)",
  containerDownTitle: (name, down, what) =>
    down ? `container ${name} is not running: ${what}` : `container ${name} is running`,
  containerDownDetail: (what) => `expected running; docker says ${what}`,
  containerRestarted: (name, by, at, total) => `${name} restarted ${by}× at ${at} (${total} restarts in total)`,
  containerUnhealthyTitle: (name, sick, health) =>
    sick ? `container ${name} is unhealthy` : `container ${name} health: ${health}`,
  containerHealthFailing: (streak, what) => `health check failing${streak ? ` ${streak} times in a row` : ""}: ${what}`,
  noHealthCheck: "no health check",
  noContainer: "unknown (no container)",
  deliveryFailingTitle: (channel, error) => `${channel} refuses the probe's messages: ${error}`,
  deliveryFailingDetail: (waiting) =>
    `${waiting} message(s) wait in the outbox; they go out once the bot token and the chat are right`,
  deliveryWorks: (channel) => `${channel} delivers the probe's messages`,
};

export const SIGNAL_RU: SignalTexts = {
  duration: durationIn({ d: "д", h: "ч", m: "мин", s: "с", sep: " " }),
  procTitle: (label, pid, age) => `${label} ${pid} работает уже ${age}`,
  procWho: (pid, comm, state, ppid, orphaned) =>
    `pid ${pid} (${comm}, состояние ${state}), ppid ${ppid}${orphaned ? " (осиротевший)" : ""}`,
  procRunning: (age, startedAt) => `работает ${age}${startedAt ? `, запущен ${startedAt}` : ""}`,
  procCmdline: (cmdline) => `командная строка: ${cmdline}`,
  procReusedTitle: (label, pid) => `${label} ${pid} завершился (его pid занял новый процесс)`,
  procReusedDetail: (pid) => `pid ${pid} теперь принадлежит процессу с другим временем запуска`,
  orchUp: "оркестратор работает",
  orchDownTitle: (error, f, threshold) =>
    `оркестратор недоступен: ${error ?? "нет ответа"} (неудачных проверок подряд: ${f}, порог ${threshold})`,
  orchDownDetail: (url, f) => `GET ${url} не отвечает кодом 2xx уже ${f} проверок подряд`,
  ruleDetail: (source) => `правило ${source}`,
  sourceFailed: (name, error) => `источник ${name} дал сбой: ${error}`,
  depTitle: (name, target, st) =>
    st.down
      ? `зависимость ${name} (${target}) недоступна`
      : st.ok
        ? `зависимость ${name} (${target}) доступна`
        : `зависимость ${name} (${target}): неудачных проверок ${st.failures} из ${st.of}`,
  depOk: (target, ms) => `TCP-подключение к ${target} заняло ${ms} мс`,
  depFailed: (target, f, of, error) =>
    `TCP-подключение к ${target} не удалось ${f} раз подряд (оповещение после ${of}): ${error}`,
  diskUnreadableTitle: (path, why) => `хост: не удаётся прочитать заполненность диска ${path}: ${why}`,
  diskUnreadableDetail: (path, why) =>
    `${path} указан в WATCHDOG_DISK_PATHS; statfs не удался: ${why}. Остальные пути по-прежнему проверяются.`,
  diskReadableAgain: (path) => `хост: заполненность диска ${path} снова читается`,
  diskUnknown: "неизвестно (не читается)",
  diskTitle: (path, at, ceiling, active) =>
    active ? `диск ${path} заполнен на ${at} (порог ${ceiling})` : `диск ${path} заполнен на ${at}, ниже порога`,
  diskActiveDetail: (path, at, pct, clearAt) =>
    `${path} заполнен на ${at}, это не ниже WATCHDOG_DISK_CEILING_PCT=${pct}; оповещение снимется при ${clearAt} или меньше`,
  diskIdleDetail: (ceiling, clearAt) => `порог ${ceiling}; срабатывает при ${ceiling}, снимается при ${clearAt}`,
  containerMissing: "отсутствует (такого контейнера нет)",
  containerDownTitle: (name, down, what) =>
    down ? `контейнер ${name} не запущен: ${what}` : `контейнер ${name} запущен`,
  containerDownDetail: (what) => `ожидался запущенным; по данным docker: ${what}`,
  containerRestarted: (name, by, at, total) => `${name} перезапущен ${by} раз в ${at} (всего перезапусков: ${total})`,
  containerUnhealthyTitle: (name, sick, health) =>
    sick ? `контейнер ${name} не проходит проверку состояния` : `контейнер ${name}, проверка состояния: ${health}`,
  containerHealthFailing: (streak, what) =>
    `проверка состояния не проходит${streak ? ` ${streak} раз подряд` : ""}: ${what}`,
  noHealthCheck: "проверки состояния нет",
  noContainer: "неизвестно (контейнера нет)",
  deliveryFailingTitle: (channel, error) => `${channel} отклоняет сообщения зонда: ${error}`,
  deliveryFailingDetail: (waiting) =>
    `сообщений в очереди: ${waiting}; они будут отправлены, когда токен бота и чат будут верны`,
  deliveryWorks: (channel) => `${channel} доставляет сообщения зонда`,
};

export function signalTexts(lang: "en" | "ru"): SignalTexts {
  return lang === "ru" ? SIGNAL_RU : SIGNAL_EN;
}
