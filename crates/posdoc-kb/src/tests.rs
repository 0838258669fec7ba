use super::*;

#[test]
fn builtin_knowledge_base_is_valid_and_complete() {
    let kb = Kb::builtin().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kb.causes.len(), Cause::COUNT);
    for vendor in [
        "pax", "newland", "landi", "verifone", "ingenico", "sunmi", "centerm", "generic",
    ] {
        let e1 = kb
            .lookup_code(vendor, None, "E1")
            .unwrap_or_else(|| panic!("{vendor} has no E1"));
        assert_eq!(e1.vendor.vendor, vendor);
        assert!(
            e1.entry.meanings.len() >= 2,
            "E1 on {vendor} must be ambiguous"
        );
    }
    for code in [
        "00", "03", "05", "12", "13", "14", "22", "30", "40", "51", "54", "55", "58", "59", "61",
        "75", "77", "91", "94", "96", "97", "98", "99", "A0",
    ] {
        for d in [Dialect::Iso1987, Dialect::Cup] {
            assert!(
                kb.response_code_in(d, code).is_some(),
                "{} {code} missing",
                d.id()
            );
        }
    }
    // Every cause is one that some check tells apart from the rest.
    for c in Cause::ALL {
        assert!(
            kb.checks.iter().any(|k| {
                let mut v = k.p_fail.to_vec();
                v.sort_by(f64::total_cmp);
                (k.p_fail[c.index()] - v[v.len() / 2]).abs() >= 0.3
            }),
            "no check detects {c}"
        );
    }
}

#[test]
fn unknown_vendor_falls_back_to_generic() {
    let kb = Kb::builtin().unwrap();
    let hit = kb.lookup_code("acme", Some("X1"), "e1").unwrap();
    assert_eq!(hit.vendor.vendor, "generic");
}

const MINI_CAUSE: &str = r#"
[[cause]]
id = "network.lan"
prior = 0.1
title = { zh = "路由器", en = "Router" }
description = { zh = "路由器", en = "Router" }
cashier_steps = [ { zh = "重启", en = "Restart" } ]
technician_steps = [ { zh = "重启", en = "Restart" } ]
prevention = [ { zh = "巡检", en = "Inspect" } ]
"#;

#[test]
fn problems_are_all_reported_with_their_file() {
    let bad = r#"
[[cause]]
id = "network.wan"
prior = 2.0
title = { zh = "", en = "x" }
description = { zh = "x", en = "x" }
cashier_steps = []
technician_steps = [ { zh = "x", en = "x" } ]
prevention = [ { zh = "x", en = "x" } ]

[[check]]
id = "c1"
who = "robot"
cost_min = 0
question = { zh = "q", en = "q" }
p_fail_default = 0.1
p_fail = { "network.lan" = 1.5 }

[[signal]]
id = "mute"
text = { zh = "x", en = "x" }
lr_absent = { "network.lan" = 0.5 }
"#;
    let err = Kb::from_files(vec![("bad.toml".into(), bad.into())]).unwrap_err();
    let all = err.to_string();
    for want in [
        "not a contract cause id",
        "who `robot`",
        "cost_min 0",
        "outside 0..=1",
        "generic` fallback",
        "has no entry",
        "needs a `text_absent`",
    ] {
        assert!(all.contains(want), "missing `{want}` in:\n{all}");
    }
    assert!(err.0.iter().any(|e| e.file == "bad.toml"));
    let err = Kb::from_files(vec![("broken.toml".into(), "[[cause]\n".into())]).unwrap_err();
    assert!(
        err.to_string().contains("broken.toml: invalid TOML"),
        "{err}"
    );
    let _ = MINI_CAUSE;
}

#[test]
fn user_directory_overrides_an_entry_and_adds_new_ones() {
    let dir = std::env::temp_dir().join(format!("posdoc-kb-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("pax-fix.toml"),
        r#"
vendor = "pax"
[[code]]
code = "E1"
[[code.meaning]]
weight = 1.0
documented = true
source = "operator correction"
text = { zh = "打印机缺纸", en = "Printer out of paper" }
causes = { "hardware.printer" = 1.0 }

[[code]]
code = "E777"
[[code.meaning]]
weight = 1.0
source = "site note"
text = { zh = "新代码", en = "New code" }
causes = { "hardware.keypad" = 1.0 }
"#,
    )
    .unwrap();
    let kb = Kb::load(Some(&dir)).unwrap_or_else(|e| panic!("{e}"));
    let e1 = kb.lookup_code("pax", None, "E1").unwrap();
    assert_eq!(e1.entry.meanings.len(), 1);
    assert_eq!(e1.prior(None, 1.0)[Cause::HardwarePrinter.index()], 1.0);
    assert!(kb.lookup_code("pax", None, "e777").is_some());
    // The built-in entries the operator did not touch are still there.
    assert_eq!(
        kb.vendors["pax"].name.en,
        Kb::builtin().unwrap().vendors["pax"].name.en
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_response_code_inside_an_unknown_code_is_found_only_beside_answer_words() {
    let kb = Kb::builtin().unwrap();
    let rc = |code: &str| kb.embedded_response_code(code).map(|(rc, _)| rc);
    assert_eq!(rc("REFUSED 51").as_deref(), Some("51"));
    assert_eq!(rc("交易失败[55]").as_deref(), Some("55"));
    assert_eq!(rc("declined-a0").as_deref(), Some("A0"));
    // A vendor's own number is not a host's answer.
    assert_eq!(rc("ERR 99"), None);
    assert_eq!(rc("-99"), None);
    // An approval is not a refusal.
    assert_eq!(rc("RC 00"), None);
}

#[test]
fn pattern_hits_are_a_bit_per_matching_pattern() {
    let kb = Kb::builtin().unwrap();
    let hits = kb.pattern_hits("密码键盘异常");
    let keypad = kb
        .patterns
        .iter()
        .position(|p| p.id == "keypad_text")
        .unwrap();
    assert_ne!(hits & (1 << keypad), 0);
    assert_eq!(kb.pattern_hits("nothing to see"), 0);
}

#[test]
fn a_keypad_that_scans_its_keys_wrongly_is_named_by_its_scan() {
    let kb = Kb::builtin().unwrap();
    let bit = |id: &str| 1u64 << kb.patterns.iter().position(|p| p.id == id).unwrap();
    let hits = |line: &str| kb.pattern_hits(&line.to_lowercase());
    // A keypad is a matrix of keys scanned row by row: a stuck or bouncing
    // key is reported as a fault of that scan, often beside the key's name.
    for line in [
        "[PIN] PIN输入错 key matrix scan: key '9' stuck",
        "KEY SCAN ERR row=3",
        "按键扫描异常",
        "按键失灵",
        "key bounce on '5'",
        // Its short name, as a terminal's diagnostic screen writes it.
        "KBD 3 STUCK",
    ] {
        assert_ne!(hits(line) & bit("keypad_text"), 0, "{line}");
    }
    // A card scanned, or a QR code, is not a key.
    for line in ["扫码失败", "QR scan failed", "card scan timeout"] {
        assert_eq!(hits(line) & bit("keypad_text"), 0, "{line}");
    }
}

#[test]
fn a_card_presented_the_wrong_way_is_the_cashiers_not_the_readers() {
    let kb = Kb::builtin().unwrap();
    let bit = |id: &str| 1u64 << kb.patterns.iter().position(|p| p.id == id).unwrap();
    let hits = |line: &str| kb.pattern_hits(&line.to_lowercase());
    // The terminal tells the cashier how to present the card: the reader
    // read it well enough to know.
    for line in [
        "[SYS] chip card must be inserted, swipe refused",
        "card inserted incorrectly, chip not detected",
        "NL_card: card read error;card inserted wrong way",
        "卡片方向错误",
        "卡插反了",
        "[CARD_READ] chip card swiped - insert card",
    ] {
        assert_ne!(hits(line) & bit("card_handling_text"), 0, "{line}");
        assert_eq!(hits(line) & bit("reader_text"), 0, "{line}");
    }
    // A reader that cannot read the chip is the reader.
    for line in ["IC card power-up failed (ATR timeout)", "读卡器故障"] {
        assert_eq!(hits(line) & bit("card_handling_text"), 0, "{line}");
        assert_ne!(hits(line) & bit("reader_text"), 0, "{line}");
    }
}

#[test]
fn a_card_not_inserted_is_the_cashiers_not_the_readers() {
    let kb = Kb::builtin().unwrap();
    let bit = |id: &str| 1u64 << kb.patterns.iter().position(|p| p.id == id).unwrap();
    let hits = |line: &str| kb.pattern_hits(&line.to_lowercase());
    for line in [
        "ICC NOT IN",
        "card not inserted",
        "卡未插入",
        "请插卡：未插卡",
    ] {
        assert_ne!(hits(line) & bit("card_handling_text"), 0, "{line}");
        assert_eq!(hits(line) & bit("reader_text"), 0, "{line}");
    }
}

/// Whether `line` matches the log pattern `pattern` of `kb`.
fn matches_pattern(kb: &Kb, line: &str, pattern: &str) -> bool {
    let i = kb.patterns.iter().position(|p| p.id == pattern).unwrap();
    kb.pattern_hits(&line.to_lowercase()) & (1 << i) != 0
}

#[test]
fn a_card_pulled_out_mid_payment_is_the_cashiers_and_a_contactless_read_failing_is_the_readers() {
    let kb = Kb::builtin().unwrap();
    let has = |line: &str, pattern: &str| matches_pattern(&kb, line, pattern);
    // The terminal saw the card go while it was still reading it: the card
    // was pulled out, whatever the words "卡片" would otherwise weigh.
    for line in [
        "TELIUM card_read: card removed during transaction",
        "NL:卡片已拔出",
        "<CT>请勿拔卡",
        "[CARD] 卡片移出过早",
    ] {
        assert!(has(line, "card_handling_text"), "{line}");
        assert!(!has(line, "reader_text"), "{line}");
    }
    // A contactless read that failed, listing a card taken away among its
    // possible reasons, is still a failed read: a dying antenna says so.
    let line = "非接读卡失败 NFC: card removed / collision";
    assert!(!has(line, "card_handling_text"), "{line}");
    assert!(has(line, "reader_text"), "{line}");
}

#[test]
fn identifiers_in_a_log_say_their_words_and_a_step_named_says_none() {
    let kb = Kb::builtin().unwrap();
    let has = |line: &str, pattern: &str| matches_pattern(&kb, line, pattern);
    // key=value logs name what happened as identifiers.
    let line = "lvl=E mod=NET rc=01 msg=connect_fail dst=10.18.2.11:5801 cost=11115ms";
    assert!(has(line, "connect_fail"), "{line}");
    let line = "lvl=E mod=NET rc=02 msg=recv_timeout";
    assert!(has(line, "timeout"), "{line}");
    // A word the knowledge base spells with underscores still matches.
    let line = "SSL alert: X509_V_ERR_CERT_HAS_EXPIRED";
    assert!(has(line, "cert_expired_text"), "{line}");
    // The step a line names is where, not what: a crash at the card
    // read is no reader's fault.
    let line = "vf[473]: card_read: application crashed (rc -50)";
    assert!(!has(line, "reader_text"), "{line}");
    assert!(has(line, "crash_text"), "{line}");
}

#[test]
fn a_database_that_cannot_be_written_is_the_storage_not_a_crash() {
    let kb = Kb::builtin().unwrap();
    let has = |line: &str, pattern: &str| matches_pattern(&kb, line, pattern);
    for line in [
        "02-08 15:03:33.440  4408  4454 E EmvProcess: SQLiteFullException: database or disk is full",
        "CTOS APP rc=-23 DB_WRITE",
        "lvl=E mod=APP rc=31 msg=db_write",
    ] {
        assert!(has(line, "storage_text"), "{line}");
        assert!(!has(line, "crash_text"), "{line}");
    }
    // An app that throws on anything else is still a crash.
    let line = "E AndroidRuntime: FATAL EXCEPTION: main java.lang.NullPointerException";
    assert!(has(line, "crash_text"), "{line}");
}

#[test]
fn terminal_logs_abbreviations_name_their_parts() {
    let kb = Kb::builtin().unwrap();
    let has = |line: &str, pattern: &str| matches_pattern(&kb, line, pattern);
    for (line, pattern) in [
        ("lvl=E mod=PRN rc=05 msg=prn_fault", "printer_text"),
        ("lvl=E mod=SYS rc=13 msg=pwr_abn", "power_text"),
        ("lvl=E mod=CARD rc=21 msg=picc_err", "reader_text"),
        ("lvl=E mod=SYS rc=15 msg=sec_lock", "board_text"),
        ("lvl=E mod=APP rc=41 msg=no_mem", "memory_text"),
        ("lvl=E mod=APP rc=42 msg=app_exit", "crash_text"),
        ("lvl=E mod=PED rc=31 msg=ped_err", "keypad_text"),
        ("lvl=E mod=UI rc=08 msg=pwd_err", "operator_text"),
    ] {
        assert!(has(line, pattern), "{line} is {pattern}");
    }
    // "ped" inside a word is no PIN pad.
    let line = "connection dropped, retry skipped";
    assert!(!has(line, "keypad_text"), "{line}");
}

#[test]
fn a_low_voltage_reset_is_the_terminals_power() {
    // "低压复位" is a reset for low input voltage, as posdoc-sim and
    // several vendors log it; a terminal saying so as its shop's mains
    // fail must not read as its router.
    let kb = Kb::builtin().unwrap();
    let has = |line: &str, pattern: &str| matches_pattern(&kb, line, pattern);
    for line in [
        "低压复位 VIN=8.08V",
        "系统低压告警",
        "low voltage reset",
        "Low-voltage detected, radio off",
    ] {
        assert!(has(line, "power_text"), "{line}");
    }
    // A battery running low is still the battery's words, not the mains'.
    assert!(!has("电量低 12%", "power_text"));
}

#[test]
fn a_screen_blamed_is_the_display_and_a_screen_quoted_is_not() {
    let kb = Kb::builtin().unwrap();
    let bit = |id: &str| 1u64 << kb.patterns.iter().position(|p| p.id == id).unwrap();
    let hits = |line: &str| kb.pattern_hits(&line.to_lowercase());
    for line in [
        "屏幕花屏,看不清金额",
        "屏幕上有条纹",
        "the screen goes blank now and then",
        "屏幕显示异常",
        "终端状态异常：显示模块故障",
    ] {
        assert_ne!(hits(line) & bit("display_text"), 0, "{line}");
    }
    // A display module is not the radio module, though both are modules.
    assert_eq!(hits("终端状态异常：显示模块故障") & bit("modem_text"), 0);
    assert_ne!(hits("通讯模块故障") & bit("modem_text"), 0);
    // What the screen shows is the code's, not the screen's; a screen gone
    // black as the terminal restarts is the restart's.
    for line in [
        "刚才开始收不了款，屏幕显示E1",
        "收款一直转圈然后失败，屏幕显示05",
        "下午开始收不了款，屏幕显示超时",
        "突然不能用了,屏幕提示timeout",
        "the screen shows 51 again",
        "机器突然黑屏重启好几次了",
    ] {
        assert_eq!(hits(line) & bit("display_text"), 0, "{line}");
    }
}

#[test]
fn an_answer_that_would_not_parse_is_named_and_a_name_that_would_not_resolve_is_not() {
    let kb = Kb::builtin().unwrap();
    let bit = |id: &str| 1u64 << kb.patterns.iter().position(|p| p.id == id).unwrap();
    let hits = |line: &str| kb.pattern_hits(&line.to_lowercase());
    for line in [
        "11-04 16:26:48.379 E/PayKernel(6583): response parse failed",
        "[RECEIVE] response parse failed stan=438614",
        "应答报文解析失败",
        "failed to parse ISO8583 response",
    ] {
        assert_ne!(hits(line) & bit("parse_text"), 0, "{line}");
    }
    for line in [
        "【域名解析失败】dns lookup failed ret=-3",
        "hostname parse error",
    ] {
        assert_eq!(hits(line) & bit("parse_text"), 0, "{line}");
    }
}

#[test]
fn a_full_file_system_is_the_storage() {
    let kb = Kb::builtin().unwrap();
    let bit = |id: &str| 1u64 << kb.patterns.iter().position(|p| p.id == id).unwrap();
    for line in ["FILE FULL rc=-14", "交易文件已满"] {
        assert_ne!(
            kb.pattern_hits(&line.to_lowercase()) & bit("storage_text"),
            0,
            "{line}"
        );
    }
}

#[test]
fn a_reset_cause_names_the_power_or_not() {
    let kb = Kb::builtin().unwrap();
    let bit = |id: &str| 1u64 << kb.patterns.iter().position(|p| p.id == id).unwrap();
    let reset =
        |cause: &str| kb.pattern_hits(&format!("异常重启,上笔交易未完成: reset cause={cause}"));
    // A power-on reset: the power went and came back.
    assert_ne!(reset("por") & bit("power_text"), 0);
    // A watchdog's or the program's: not the power.
    assert_eq!(reset("wdt") & bit("power_text"), 0);
    assert_eq!(reset("sw") & bit("power_text"), 0);
}

#[test]
fn a_terse_low_battery_line_names_the_battery() {
    let kb = Kb::builtin().unwrap();
    let bit = |id: &str| 1u64 << kb.patterns.iter().position(|p| p.id == id).unwrap();
    // Terminals with a one-line display log in capitals and abbreviations.
    for line in ["bat low 7", "low batt", "batt=3%"] {
        assert_ne!(kb.pattern_hits(line) & bit("battery_text"), 0, "{line}");
    }
    // A batch is no battery.
    assert_eq!(
        kb.pattern_hits("batch upload failed") & bit("battery_text"),
        0
    );
}

#[test]
fn a_patterns_exclusions_unmake_its_match() {
    let kb = Kb::builtin().unwrap();
    let bit = |id: &str| 1u64 << kb.patterns.iter().position(|p| p.id == id).unwrap();
    assert_ne!(kb.pattern_hits("通讯超时") & bit("timeout"), 0);
    let input = kb.pattern_hits("密码输入超时");
    assert_eq!(
        input & bit("timeout"),
        0,
        "an input timeout is not a host's"
    );
    assert_ne!(input & bit("input_text"), 0);
}

#[test]
fn an_adapter_is_judged_against_its_own_rating_not_five_volts() {
    let kb = Kb::builtin().unwrap_or_else(|e| panic!("{e}"));
    let adapter = kb.check("adapter_voltage").expect("adapter_voltage");
    assert!(adapter.takes_value());
    // Against the rating nearest the reading.
    assert_eq!(adapter.judge(11.8, None), Some(false));
    assert_eq!(adapter.judge(8.8, None), Some(false));
    assert_eq!(adapter.judge(5.1, None), Some(false));
    assert_eq!(adapter.judge(4.4, None), Some(true));
    assert_eq!(adapter.judge(10.9, None), Some(true));
    // A terminal whose supply usually reads 11.9 V has a 12 V adapter:
    // 9.4 V from it is low, however near 9 V that is.
    assert_eq!(adapter.judge(9.4, Some(11.9)), Some(true));
    assert_eq!(adapter.judge(9.4, None), Some(false));
    // A check with a plain range keeps it.
    let battery = kb.check("battery_level").expect("battery_level");
    assert_eq!(battery.judge(15.0, Some(12.0)), Some(true));
    assert_eq!(battery.judge(60.0, None), Some(false));
}

#[test]
fn checks_go_by_other_names_too() {
    let kb = Kb::builtin().unwrap_or_else(|e| panic!("{e}"));
    for (name, id) in [
        ("param_check", "terminal_params_check"),
        ("screen_test", "display_test"),
        ("cert_check", "cert_expiry"),
        ("merchant_status", "merchant_status_query"),
    ] {
        assert_eq!(kb.check(name).map(|c| c.id.as_str()), Some(id), "{name}");
    }
}

#[test]
fn a_radio_reading_in_dbm_is_judged_by_its_bars_and_only_a_weak_one_counts() {
    let kb = Kb::builtin().unwrap_or_else(|e| panic!("{e}"));
    let bars = kb.check("signal_test").expect("signal_test is signal_bars");
    assert_eq!(bars.id, "signal_bars");
    assert_eq!(bars.judge(-105.0, None), Some(true));
    assert_eq!(bars.judge(-100.0, None), Some(true));
    // Enough bars, read once, says nothing of a signal that comes and goes.
    assert_eq!(bars.judge(-95.0, None), None);
    assert_eq!(bars.judge(-70.0, None), None);
    // Bars themselves are judged both ways.
    assert_eq!(bars.judge(1.0, None), Some(true));
    assert_eq!(bars.judge(3.0, None), Some(false));
}

/// The automaton must read a line as word-by-word substring search would:
/// every word alone, every word beside each of its pattern's `none` words,
/// and words that overlap one another ("batt" inside "battery").
#[test]
fn pattern_hits_agree_with_searching_each_word() {
    let kb = Kb::builtin().unwrap();
    // Identifiers' underscores are spaces in the text and in the words.
    let naive = |lower: &str| -> u64 {
        let lower = crate::identifiers_spaced(lower);
        let has = |k: &String| lower.contains(&k.replace('_', " "));
        kb.patterns
            .iter()
            .take(crate::PATTERNS_MAX)
            .enumerate()
            .filter(|(_, p)| p.any.iter().any(has) && !p.none.iter().any(has))
            .fold(0, |m, (i, _)| m | (1 << i))
    };
    let mut lines = vec![String::new(), "nothing to see".to_string()];
    for id in [
        "card_read: crash",
        "power_on_fail",
        "_ssl_alert_",
        "msg=connect_fail",
        "电源_故障",
    ] {
        lines.push(id.to_string());
    }
    for p in &kb.patterns {
        for w in &p.any {
            lines.push(format!("x {w} y"));
            lines.push(format!("{w}{w}"));
            for n in &p.none {
                lines.push(format!("{w} / {n}"));
                lines.push(format!("{n}{w}"));
            }
        }
    }
    let words: Vec<&String> = kb.patterns.iter().flat_map(|p| &p.any).collect();
    for pair in words.windows(2) {
        lines.push(format!("{}{}", pair[0], pair[1]));
    }
    assert!(lines.len() > 500);
    for line in &lines {
        assert_eq!(kb.pattern_hits(line), naive(line), "{line}");
    }
}

/// The built-in files are embedded as JSON that `build.rs` converts from the
/// TOML under `kb/`: the knowledge base built from them must be the one the
/// TOML itself builds, to the last float.
#[test]
fn the_embedded_knowledge_base_is_the_toml_under_kb() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb");
    let toml_files: Vec<(String, String)> = BUILTIN_FILES
        .iter()
        .map(|(name, _)| {
            let text = std::fs::read_to_string(root.join(name))
                .unwrap_or_else(|e| panic!("kb/{name}: {e}"));
            (name.to_string(), text)
        })
        .collect();
    assert!(toml_files.len() >= 10, "{} files", toml_files.len());
    let from_toml = Kb::from_files(toml_files).unwrap_or_else(|e| panic!("{e}"));
    let builtin = Kb::builtin().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(format!("{builtin:?}"), format!("{from_toml:?}"));
}

#[test]
fn a_response_code_approved_against_the_record_crates_list_is_refused() {
    let entry = |code: &str, approved: bool| {
        format!(
            r#"[[response_code]]
dialect = "cup"
code = "{code}"
approved = {approved}
meaning = {{ zh = "x", en = "x" }}
causes = {{ "card.decline" = 1.0 }}
cashier_say = {{ zh = "x", en = "x" }}
cashier_do = {{ zh = "x", en = "x" }}
"#
        )
    };
    let bad = format!("{}\n{}", entry("A4", false), entry("A3", true));
    let err = Kb::from_files(vec![("codes.toml".into(), bad)]).unwrap_err();
    let all = err.to_string();
    assert!(
        all.contains("`A4`: `approved = false`, but posdoc_record::APPROVAL_CODES lists it"),
        "{all}"
    );
    assert!(
        all.contains("`A3`: `approved = true`, but posdoc_record::APPROVAL_CODES does not list it"),
        "{all}"
    );
}
