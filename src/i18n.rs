//! Human-facing words in English and Chinese: one key → string table per language.
//! Placeholders are `{name}`; [`Lang::fmt`] fills them. JSON output never goes through here.
//! The words of `check` and `validate` are here; those of the other commands in [`commands`].

mod commands;
mod diag;
mod report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    #[value(name = "en")]
    En,
    #[value(name = "zh-CN", alias = "zh", alias = "zh_CN")]
    ZhCn,
}

impl Lang {
    /// The language from `LANG`/`LC_ALL`/`LC_MESSAGES`: Chinese when it starts with `zh`.
    pub fn from_env(vars: &dyn Fn(&str) -> Option<String>) -> Lang {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(v) = vars(name).filter(|v| !v.is_empty()) {
                return if v.to_ascii_lowercase().starts_with("zh") { Lang::ZhCn } else { Lang::En };
            }
        }
        Lang::En
    }

    pub fn t(self, key: &str) -> &'static str {
        lookup(self, key).unwrap_or_else(|| {
            debug_assert!(false, "missing i18n key {key}");
            lookup(Lang::En, key).unwrap_or("?")
        })
    }

    /// `t(key)` when the key exists (for text that has an English default elsewhere, like clap's help).
    pub fn try_t(self, key: &str) -> Option<&'static str> {
        lookup(self, key)
    }

    /// `t(key)` with `{name}` placeholders replaced, and `{name|one|many}` by the word that agrees
    /// with the number `name` ("1 commit", "2 commits").
    pub fn fmt(self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            let value = value.to_string();
            s = agree(&s, name, &value);
            s = s.replace(&format!("{{{name}}}"), &value);
        }
        s
    }
}

/// Replaces every `{name|one|many}` of `text` by `one` when `value` is 1, else by `many`.
fn agree(text: &str, name: &str, value: &str) -> String {
    let open = format!("{{{name}|");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        let Some(end) = after.find('}') else { break };
        let (one, many) = after[..end].split_once('|').unwrap_or((&after[..end], &after[..end]));
        out.push_str(&rest[..at]);
        out.push_str(if value == "1" { one } else { many });
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A policy duration as words to be rendered in any language: `6mo` is "6 months" / "6 个月".
pub fn duration_text(d: crate::model::Duration) -> crate::diag::Text {
    use crate::model::time::Unit;
    let unit = match d.unit {
        Unit::Minutes => "duration.minutes",
        Unit::Hours => "duration.hours",
        Unit::Days => "duration.days",
        Unit::Weeks => "duration.weeks",
        Unit::Months => "duration.months",
        Unit::Years => "duration.years",
    };
    let form = if d.amount == 1 { "one" } else { "many" };
    crate::diag::Text::new(&format!("{unit}_{form}"), &[("n", &d.amount)])
}

type Table = &'static [(&'static str, &'static str)];

/// Every English table, then every Chinese one, in the same order.
const EN_TABLES: &[Table] = &[EN, commands::EN, diag::EN, report::EN];
const ZH_TABLES: &[Table] = &[ZH, commands::ZH, diag::ZH, report::ZH];

fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    type Index = std::collections::HashMap<&'static str, &'static str>;
    /// Each language's tables as one map, built on first use (a report looks words up per row).
    static INDEXES: std::sync::LazyLock<[Index; 2]> = std::sync::LazyLock::new(|| {
        // The first entry of a key wins, as a scan in table order would find it.
        let index = |tables: &[Table]| {
            let mut map = Index::new();
            for (k, v) in tables.iter().flat_map(|t| t.iter()) {
                map.entry(*k).or_insert(*v);
            }
            map
        };
        [index(EN_TABLES), index(ZH_TABLES)]
    });
    INDEXES[usize::from(lang == Lang::ZhCn)].get(key).copied()
}

pub const EN: &[(&str, &str)] = &[
    ("status.ok", "ok"),
    ("status.warn", "warn"),
    ("status.due", "due"),
    ("status.eol", "EOL"),
    ("status.unknown", "unknown"),
    ("status.accepted", "accepted"),
    ("col.system", "System"),
    ("col.owner", "Owner"),
    ("col.component", "Component"),
    ("col.version", "Version"),
    ("col.cycle", "Cycle"),
    ("col.ends", "Ends"),
    ("col.status", "Status"),
    ("col.next", "Next deadline"),
    ("col.action", "Action"),
    ("deadline.plan_by", "plan by {date}"),
    ("deadline.finish_by", "finish by {date}"),
    ("deadline.end", "ends {date}"),
    ("deadline.exception_ends", "exception ends {date}"),
    ("when.in_one", "in {n} day"),
    ("when.in_many", "in {n} days"),
    ("when.today", "today"),
    ("when.overdue_one", "overdue {n} day"),
    ("when.overdue_many", "overdue {n} days"),
    ("when.ago_one", "{n} day ago"),
    ("when.ago_many", "{n} days ago"),
    ("action.plan_by", "none yet"),
    ("action.start", "start replacement: plan by {date} — {when}"),
    ("action.finish_by", "{change} approved: finish by {date} ({when})"),
    ("action.finish", "finish replacement: finish by {date} — {when}"),
    ("action.replace_now", "replace now: ended {date} — {when}"),
    ("action.replace_now_undated", "replace now: support has ended"),
    ("action.accepted", "risk accepted by {change} until {date}"),
    ("action.fix_catalog", "{reason}"),
    ("action.nothing", "no end date announced"),
    (
        "reason.unknown_product",
        "product `{product}` is not in the catalog: add inventory/products/{product}.yaml",
    ),
    ("reason.no_cycle", "version {version} matches no cycle of `{product}`"),
    (
        "reason.build_line",
        "(cycle by build line: no cycle name matches; same build line as its latest {latest})",
    ),
    ("reason.unknown_cycle", "cycle `{cycle}` is not in the catalog of `{product}`"),
    ("reason.not_announced", "no end date announced for cycle {cycle}"),
    ("reason.ended_undated", "cycle {cycle} has ended (date not published)"),
    ("reason.ends_override", "end date {date} set on the component"),
    ("reason.ends_eol", "cycle {cycle} security support ends {date}"),
    ("reason.ends_extended", "cycle {cycle} extended support ends {date}"),
    ("reason.no_extended", "cycle {cycle} has no extended support; security support ends {date}"),
    ("summary.line", "systems: {systems}, components: {components} — {counts} — violations: {violations}"),
    ("summary.count", "{n} {status}"),
    ("summary.none", "nothing to show"),
    ("summary.filtered", "(filtered)"),
    ("disc.title", "Discovery runs (rules.discovery_every = {every})"),
    ("disc.ok", "{kind}: last run {last}; next due {due}"),
    (
        "disc.missed",
        "{kind}: last run {last}; overdue since {due} (discovery-missed). Run `lifecycle {command}` and commit its record.",
    ),
    (
        "disc.never",
        "{kind}: no run recorded (discovery-missed). Run `lifecycle {command}` and commit its record.",
    ),
    ("disc.kind.catalog", "catalog"),
    ("disc.kind.advisories", "advisories"),
    ("disc.kind.observe", "observations"),
    ("obs.title", "Observed state ({systems} scanned; observations are evidence, never authority)"),
    (
        "obs.undeclared_eol",
        "UNDECLARED END-OF-LIFE: {system} runs {product} {versions} on {hosts} host(s), and the inventory does not declare it: {status}{end}",
    ),
    ("obs.undeclared", "undeclared: {system} runs {product} {versions} on {hosts} host(s): {status}{end}"),
    (
        "obs.version",
        "version drift: {system} / {component} is declared {declared}, observed {versions} on {hosts} of {scanned} host(s), differing on {on} (collected {date})",
    ),
    (
        "obs.missing",
        "missing: {system} / {component} is declared {declared}, not observed on the {scanned} scanned host(s) (collected {date})",
    ),
    ("obs.stale", " [stale: the newest scan is of {date}]"),
    ("obs.end", ", end {date}"),
    (
        "obs.summary",
        "inventory drift: {drifts} · undeclared: {undeclared} ({eol} end-of-life) · stale systems: {stale} · packages matching no catalog product: {unmatched}",
    ),
    ("check.title", "Lifecycle status on {date}"),
    ("check.policy", "policy: start replacing {plan}, finish {finish} before the end"),
    ("check.behind", "behind {latest}"),
    ("check.patch_behind", "behind {latest}, patch overdue"),
    (
        "check.patch_behind_detail",
        "behind {latest} (released {date}) for longer than patch_lag_max {lag}: patch by {by}",
    ),
    ("validate.ok", "{files} checked: no problems"),
    ("validate.warnings", "{files} checked: no errors, warnings: {warnings}"),
    ("validate.errors", "{files} checked: errors: {errors}, warnings: {warnings}"),
    ("load.failed", "the repository has errors ({errors}); nothing was evaluated"),
    ("load.failed_hint", "fix them, or run `lifecycle validate` for the full list"),
    ("load.no_inventory", "no inventory in {place}: no lifecycle.yaml and no file under {folders}"),
    (
        "load.no_inventory_hint",
        "run `lifecycle init` to start one there, or point at your inventory with `-C DIR`",
    ),
    ("catalog.failed", "{errors} problem(s) in the input; nothing was written"),
    ("catalog.created", "{path}: created"),
    ("catalog.added", "cycles added: {cycles}"),
    ("catalog.removed", "cycles removed: {cycles}"),
    ("catalog.updated", "cycles updated: {cycles}"),
    ("catalog.source_only", "identifiers or title updated"),
    ("catalog.eol_moved", "EOL of {cycle} moved: {old} → {new}"),
    ("catalog.eol_earlier", "EOL of {cycle} moved EARLIER: {old} → {new}"),
    ("catalog.summary", "{products} products: {written} written, {unchanged} unchanged"),
    ("catalog.duplicate", "{product} is given twice ({first}, {last}): the last one is imported"),
    ("sync.fallback", "{url}: {reason}; using the cached answer from {age} ago"),
    ("sync.stale", "{url}: the cached answer is {age} old"),
    ("sync.nothing_written", "nothing was written; run again when the service answers"),
    ("sync.unknown_products", "endoflife.date has no product {products}"),
    (
        "sync.unknown_products_hint",
        "check the ids: a product's id is the last part of its endoflife.date address (endoflife.date/redis → redis); nothing was written",
    ),
    (
        "sync.not_found_hint",
        "the service answered that it does not know this address: check --url, --kev-url or the id; nothing was written",
    ),
    ("sync.not_on_eol", "not on endoflife.date, left as they are: {products}"),
    ("advisories.failed", "{errors} problem(s); nothing was written"),
    ("advisories.created", "{path}: created"),
    ("advisories.updated", "{path}: updated"),
    (
        "advisories.summary",
        "advisories: {created} created, {updated} updated, {unchanged} unchanged ({duplicates} duplicate records merged)",
    ),
    ("advisories.kev", "KEV catalog: {entries} entries, {matched} matched advisories here"),
    (
        "advisories.stubs",
        "{n} ids without details skipped (query-batch answers carry ids only; `advisories sync` fetches each)",
    ),
    ("advisories.rejected", "{n} record(s) rejected (above); the other records were imported"),
    ("advisories.queried", "OSV: {queries} component queries, {ids} advisories"),
    ("sec.title", "Security deadlines"),
    (
        "sec.summary",
        "advisories: {items} — {overdue} overdue · {open} open · {responded} responded · {resolved} resolved",
    ),
    ("col.advisory", "Advisory"),
    ("col.class", "Class"),
    ("col.respond_by", "Respond by"),
    ("col.deploy_by", "Deploy by"),
    ("col.change", "Change"),
    ("adv.open", "open"),
    ("adv.responded", "responded"),
    ("adv.resolved", "resolved"),
    ("adv.overdue", "OVERDUE"),
    ("adv.no_class", "no class applies"),
];

pub const ZH: &[(&str, &str)] = &[
    ("status.ok", "正常"),
    ("status.warn", "预警"),
    ("status.due", "临期"),
    ("status.eol", "已停止支持"),
    ("status.unknown", "未知"),
    ("status.accepted", "已接受风险"),
    ("col.system", "系统"),
    ("col.owner", "负责人"),
    ("col.component", "组件"),
    ("col.version", "版本"),
    ("col.cycle", "版本线"),
    ("col.ends", "停止支持"),
    ("col.status", "状态"),
    ("col.next", "下一期限"),
    ("col.action", "处理"),
    ("deadline.plan_by", "{date} 前启动"),
    ("deadline.finish_by", "{date} 前完成"),
    ("deadline.end", "{date} 停止支持"),
    ("deadline.exception_ends", "{date} 风险接受到期"),
    ("when.in_one", "还有 {n} 天"),
    ("when.in_many", "还有 {n} 天"),
    ("when.today", "今天"),
    ("when.overdue_one", "已逾期 {n} 天"),
    ("when.overdue_many", "已逾期 {n} 天"),
    ("when.ago_one", "已过 {n} 天"),
    ("when.ago_many", "已过 {n} 天"),
    ("action.plan_by", "暂无"),
    ("action.start", "启动替换：应于 {date} 前启动（{when}）"),
    ("action.finish_by", "{change} 已批准：{date} 前完成（{when}）"),
    ("action.finish", "完成替换：应于 {date} 前完成（{when}）"),
    ("action.replace_now", "立即替换：已于 {date} 停止支持（{when}）"),
    ("action.replace_now_undated", "立即替换：已停止支持"),
    ("action.accepted", "{change} 接受风险至 {date}"),
    ("action.fix_catalog", "{reason}"),
    ("action.nothing", "尚未公布停止支持日期"),
    (
        "reason.unknown_product",
        "产品 `{product}` 不在生命周期目录中：请添加 inventory/products/{product}.yaml",
    ),
    ("reason.no_cycle", "版本 {version} 不匹配 `{product}` 的任何版本线"),
    ("reason.build_line", "（按构建号匹配版本线：没有版本线名称匹配，与其最新版本 {latest} 属同一构建线）"),
    ("reason.unknown_cycle", "版本线 `{cycle}` 不在 `{product}` 的目录中"),
    ("reason.not_announced", "版本线 {cycle} 尚未公布停止支持日期"),
    ("reason.ended_undated", "版本线 {cycle} 已停止支持（日期未公布）"),
    ("reason.ends_override", "组件自定的停止支持日期 {date}"),
    ("reason.ends_eol", "版本线 {cycle} 安全支持于 {date} 结束"),
    ("reason.ends_extended", "版本线 {cycle} 延长支持于 {date} 结束"),
    ("reason.no_extended", "版本线 {cycle} 无延长支持；安全支持于 {date} 结束"),
    ("summary.line", "{systems} 个系统，{components} 个组件：{counts}；不符合项 {violations} 项"),
    ("summary.count", "{status} {n}"),
    ("summary.none", "没有可显示的内容"),
    ("summary.filtered", "（已筛选）"),
    ("disc.title", "发现运行（rules.discovery_every = {every}）"),
    ("disc.ok", "{kind}：最近一次 {last}；下次应于 {due} 前"),
    (
        "disc.missed",
        "{kind}：最近一次 {last}；自 {due} 起逾期（discovery-missed）。请运行 `lifecycle {command}` 并提交其记录。",
    ),
    (
        "disc.never",
        "{kind}：没有发现运行记录（discovery-missed）。请运行 `lifecycle {command}` 并提交其记录。",
    ),
    ("disc.kind.catalog", "生命周期目录"),
    ("disc.kind.advisories", "安全公告"),
    ("disc.kind.observe", "观察"),
    ("obs.title", "观察到的状态（已扫描 {systems}；观察结果是证据，不是依据）"),
    (
        "obs.undeclared_eol",
        "未登记且已停止支持：{system} 的 {hosts} 台主机运行 {product} {versions}，清单未登记：{status}{end}",
    ),
    ("obs.undeclared", "未登记：{system} 的 {hosts} 台主机运行 {product} {versions}：{status}{end}"),
    (
        "obs.version",
        "版本不符：{system} / {component} 登记为 {declared}，在 {scanned} 台主机中的 {hosts} 台观察到 {versions}，不符的主机：{on}（采集于 {date}）",
    ),
    (
        "obs.missing",
        "缺失：{system} / {component} 登记为 {declared}，在已扫描的 {scanned} 台主机上均未观察到（采集于 {date}）",
    ),
    ("obs.stale", "［已过期：最近一次扫描为 {date}］"),
    ("obs.end", "，截止 {date}"),
    (
        "obs.summary",
        "清单偏差 {drifts} 项 · 未登记 {undeclared} 项（其中已停止支持 {eol} 项）· 扫描过期的系统 {stale} 个 · 未匹配到目录产品的软件包 {unmatched} 个",
    ),
    ("check.title", "{date} 生命周期状态"),
    ("check.policy", "政策：须在停止支持前 {plan}启动替换，前 {finish}完成替换"),
    ("check.behind", "落后于 {latest}"),
    ("check.patch_behind", "落后于 {latest}，补丁已超期"),
    (
        "check.patch_behind_detail",
        "落后于 {latest}（{date} 发布）已超过 patch_lag_max {lag}：应于 {by} 前打补丁",
    ),
    ("validate.ok", "已检查 {files}：没有问题"),
    ("validate.warnings", "已检查 {files}：没有错误，{warnings} 个警告"),
    ("validate.errors", "已检查 {files}：{errors} 个错误，{warnings} 个警告"),
    ("load.failed", "仓库中有 {errors} 个错误，未进行评估"),
    ("load.failed_hint", "请修正，或运行 `lifecycle validate` 查看完整列表"),
    ("load.no_inventory", "{place} 中没有清单：既无 lifecycle.yaml，{folders} 下也没有文件"),
    ("load.no_inventory_hint", "运行 `lifecycle init` 在此创建，或用 `-C DIR` 指向你的清单"),
    ("catalog.failed", "输入中有 {errors} 个问题，未写入任何文件"),
    ("catalog.created", "{path}：已创建"),
    ("catalog.added", "新增版本线：{cycles}"),
    ("catalog.removed", "移除版本线：{cycles}"),
    ("catalog.updated", "更新版本线：{cycles}"),
    ("catalog.source_only", "标识或名称已更新"),
    ("catalog.eol_moved", "{cycle} 停止支持日期变更：{old} → {new}"),
    ("catalog.eol_earlier", "{cycle} 停止支持日期提前：{old} → {new}"),
    ("catalog.summary", "{products} 个产品：写入 {written} 个，未变 {unchanged} 个"),
    ("catalog.duplicate", "{product} 出现两次（{first}、{last}）：导入后者"),
    ("sync.fallback", "{url}：{reason}；改用 {age} 前缓存的结果"),
    ("sync.stale", "{url}：缓存结果已有 {age}"),
    ("sync.nothing_written", "未写入任何文件；请在服务恢复后重试"),
    ("sync.unknown_products", "endoflife.date 上没有产品 {products}"),
    (
        "sync.unknown_products_hint",
        "请检查产品 ID：即其 endoflife.date 网址的最后一段（endoflife.date/redis → redis）；未写入任何文件",
    ),
    ("sync.not_found_hint", "服务答复不认识此地址：请检查 --url、--kev-url 或 ID；未写入任何文件"),
    ("sync.not_on_eol", "以下产品不在 endoflife.date 上，保持不变：{products}"),
    ("advisories.failed", "有 {errors} 个问题，未写入任何文件"),
    ("advisories.created", "{path}：已创建"),
    ("advisories.updated", "{path}：已更新"),
    (
        "advisories.summary",
        "安全公告：新建 {created} 个，更新 {updated} 个，未变 {unchanged} 个（合并重复记录 {duplicates} 条）",
    ),
    ("advisories.kev", "KEV 目录：{entries} 条，其中 {matched} 条对应本仓库的公告"),
    ("advisories.stubs", "跳过 {n} 个只有编号的记录（批量查询结果只含编号；`advisories sync` 会逐个获取）"),
    ("advisories.rejected", "{n} 条记录被拒绝（见上）；其余记录已导入"),
    ("advisories.queried", "OSV：查询 {queries} 个组件，得到 {ids} 个公告"),
    ("sec.title", "安全更新期限"),
    (
        "sec.summary",
        "安全公告 {items} 项：逾期 {overdue} · 待处理 {open} · 已响应 {responded} · 已解决 {resolved}",
    ),
    ("col.advisory", "公告"),
    ("col.class", "类别"),
    ("col.respond_by", "响应期限"),
    ("col.deploy_by", "部署期限"),
    ("col.change", "变更"),
    ("adv.open", "待处理"),
    ("adv.responded", "已响应"),
    ("adv.resolved", "已解决"),
    ("adv.overdue", "已逾期"),
    ("adv.no_class", "无适用类别"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every key exists in both languages, once, with the same placeholders.
    #[test]
    fn tables_match() {
        let keys =
            |t: &'static [(&'static str, &'static str)]| t.iter().map(|(k, _)| *k).collect::<BTreeSet<_>>();
        assert_eq!(keys(EN), keys(ZH));
        assert_eq!(keys(EN).len(), EN.len(), "duplicate key in EN");
        assert_eq!(keys(ZH).len(), ZH.len(), "duplicate key in ZH");
        // The commands' tables: the same keys in both languages, and no key in two tables.
        assert_eq!(keys(commands::EN), keys(commands::ZH));
        assert_eq!(keys(commands::EN).len(), commands::EN.len(), "duplicate key in commands::EN");
        assert_eq!(keys(commands::ZH).len(), commands::ZH.len(), "duplicate key in commands::ZH");
        assert!(keys(EN).is_disjoint(&keys(commands::EN)), "a key in both tables");
        assert_eq!(keys(diag::EN), keys(diag::ZH));
        assert_eq!(keys(diag::EN).len(), diag::EN.len(), "duplicate key in diag::EN");
        assert!(keys(diag::EN).is_disjoint(&keys(commands::EN)), "a key in both tables");
        assert!(keys(diag::EN).is_disjoint(&keys(EN)), "a key in both tables");
        let holes = |s: &str| {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(h, _)| h.to_string()))
                .collect::<BTreeSet<_>>()
        };
        for (k, en) in commands::EN {
            assert_eq!(holes(en), holes(Lang::ZhCn.t(k)), "placeholders differ for {k}");
        }
        for (k, en) in EN.iter().chain(diag::EN) {
            assert_eq!(holes(en), holes(Lang::ZhCn.t(k)), "placeholders differ for {k}");
        }
    }

    /// Every key the code names literally (`.t("…")`, `.fmt("…"`, `Text::new("…"`) is in the tables, so a typo fails
    /// here instead of printing "?" in one language.
    #[test]
    fn every_key_used_exists() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut used = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for pat in [".t(", ".fmt(", "Text::new(", ".words(", ".hint_t("] {
                for (i, _) in text.match_indices(pat) {
                    let Some(rest) = text[i + pat.len()..].trim_start().strip_prefix('"') else { continue };
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                    {
                        continue;
                    }
                    for lang in [Lang::En, Lang::ZhCn] {
                        assert!(
                            lookup(lang, key).is_some(),
                            "{}: key `{key}` missing in {lang:?}",
                            file.display()
                        );
                    }
                    used += 1;
                }
            }
        }
        assert!(used > 80, "only {used} keys found: the scan is broken");
    }

    #[test]
    fn language_from_environment() {
        let env = |v: &'static str| move |name: &str| (name == "LANG").then(|| v.to_string());
        assert_eq!(Lang::from_env(&env("zh_CN.UTF-8")), Lang::ZhCn);
        assert_eq!(Lang::from_env(&env("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_env(&|_| None), Lang::En);
    }
}
