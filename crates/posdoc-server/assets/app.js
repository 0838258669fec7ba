/* posdoc web dashboard.
 *
 * Plain ES2020 in one file, no build step: the server embeds this file as is.
 * Sections: i18n · state · DOM helpers · formatting · API · auth · live stream ·
 * charts · shared widgets · pages (overview, incidents, incident, terminals,
 * terminal, explain, troubleshoot) · router · boot.
 *
 * Safety rule for the whole file: server text only ever reaches the DOM as
 * text nodes or attribute values (see `h`); nothing is assigned to innerHTML.
 */
(() => {
  'use strict';

  // ---------------------------------------------------------------- i18n
  // Every string a person reads, in both languages. Server texts (cause
  // titles, evidence, questions) come already translated via `lang=`.
  const I18N = {
    zh: {
      'lang.other': 'English',
      'lang.title': '切换到英文',
      'logout': '退出',
      'nav.overview': '总览',
      'nav.incidents': '事件',
      'nav.terminals': '终端',
      'nav.explain': '错误码查询',
      'nav.troubleshoot': '排障向导',
      'live.on': '实时',
      'live.connecting': '连接中',
      'live.off': '离线',
      'live.title': '实时推送：有新事件或诊断时自动刷新',
      'footer.tz': '时间均为本地时间（{tz}）',

      'login.title': '登录',
      'login.help': '请输入管理员发放的访问令牌（由 posdoc token create 生成）。令牌只保存在本浏览器中。',
      'login.token': '访问令牌',
      'login.submit': '登录',
      'login.empty': '请输入令牌。',
      'login.rejected': '令牌无效或已被吊销，请重新登录。',
      'login.signedOut': '已退出登录。',

      'common.loading': '加载中…',
      'common.retry': '重试',
      'common.error': '加载失败：{msg}',
      'common.forbidden': '当前令牌无权查看此内容。',
      'common.network': '无法连接服务器',
      'common.updated': '更新于 {time}',
      'common.notFound': '未找到 {what}。',
      'common.backHome': '返回总览',
      'common.terminals': '{n} 台终端',
      'common.more': '另有 {n} 条未显示',
      'common.yes': '是',
      'common.no': '否',
      'page.notFound': '页面不存在',
      'page.notFoundText': '地址 {hash} 没有对应的页面。',

      'overview.title': '总览',
      'card.terminals': '终端总数',
      'card.online': '在线',
      'card.onlineOf': '占 {pct}',
      'card.openIncidents': '未关闭事件',
      'card.records': '记录数',
      'card.diagnoses': '诊断数',
      'chart.failureRate': '交易与失败（每分钟，最近 6 小时数据）',
      'series.txns': '交易',
      'series.failed': '失败',
      'series.errors': '错误',
      'series.rate': '失败率 %',
      'series.terminals': '受影响终端',
      'overview.openIncidents': '未关闭事件',
      'overview.now': '数据截至',
      'overview.closedIncidents': '最近关闭的事件',
      'overview.worstSites': '失败最多的门店',
      'overview.topCauses': '主要原因',
      'empty.openIncidents': '暂无未关闭事件，一切正常。',
      'empty.closedIncidents': '暂无已关闭的事件。',
      'empty.sites': '暂无门店失败记录。',
      'empty.causes': '暂无诊断。',
      'empty.chart': '最近 6 小时没有交易或错误数据。',

      'col.site': '门店',
      'col.name': '名称',
      'col.failures': '失败次数',
      'col.cause': '原因',
      'col.count': '次数',
      'col.time': '时间',
      'col.terminal': '终端',
      'col.code': '代码',
      'col.topCause': '最可能原因',
      'col.evidence': '主要依据',
      'col.vendorModel': '厂商 / 型号',
      'col.merchant': '商户',
      'col.network': '网络',
      'col.lastSeen': '最后上报',
      'col.status': '状态',
      'col.errors24h': '24 小时错误',
      'col.lastCause': '最近原因',
      'col.type': '类型',
      'col.amount': '金额',
      'col.channel': '渠道',
      'col.response': '应答码',
      'col.latency': '耗时',
      'col.event': '事件',

      'incidents.title': '事件',
      'incidents.open': '未关闭',
      'incidents.closed': '已关闭',
      'incident.title': '事件 {id}',
      'incident.what': '事件',
      'incident.scope': '影响范围',
      'incident.cause': '原因',
      'incident.opened': '开始',
      'incident.closed': '结束',
      'incident.updated': '最近更新',
      'incident.duration': '持续',
      'incident.state.open': '进行中',
      'incident.state.closed': '已关闭',
      'incident.mergedInto': '已并入更大范围的事件',
      'incident.terminals': '受影响终端（{n}）',
      'incident.evidence': '证据（成员诊断中最常引用）',
      'incident.timeline': '时间线',
      'incident.diagnoses': '最新诊断',
      'incident.ongoing': '仍在进行',
      'event.opened': '开启',
      'event.joined': '终端加入',
      'event.closed': '关闭',
      'empty.evidence': '暂无证据。',
      'empty.incidentTerminals': '没有可见的受影响终端。',
      'empty.diagnoses': '暂无诊断。',
      'empty.timeline': '暂无时间线数据。',

      'terminals.title': '终端',
      'terminals.search': '按终端号、门店号或商户号搜索（前缀匹配）',
      'terminals.count': '显示 {n} 台',
      'empty.terminals': '没有匹配的终端。',
      'status.online': '在线',
      'status.offline': '离线',
      'status.unknown': '未知',

      'terminal.title': '终端 {id}',
      'terminal.inventory': '设备信息',
      'terminal.telemetry': '最新心跳',
      'terminal.charts': '心跳指标',
      'terminal.errorMarks': '红色虚线：错误发生时刻',
      'terminal.errors': '最近故障与诊断',
      'terminal.txns': '最近交易',
      'terminal.inIncident': '该终端属于事件 {id}',
      'terminal.troubleshoot': '排查此终端',
      'empty.telemetry': '暂无心跳数据。',
      'empty.errors': '近期没有故障。',
      'empty.txns': '暂无交易记录。',
      'empty.inventory': '没有这台终端的登记信息。',
      'txn.timeout': '超时',
      'source.txn': '交易失败',
      'txn.noResponse': '无应答',

      'diag.causes': '可能原因',
      'diag.evidence': '依据',
      'diag.checks': '下一步检查',
      'diag.incident': '所属事件',
      'diag.none': '尚无诊断。',
      'diag.minutes': '约 {n} 分钟',
      'who.cashier': '收银员',
      'who.technician': '技术人员',
      'who.support': '客服支持',

      'explain.title': '错误码查询',
      'explain.prompt': '输入终端屏幕上显示的错误码或应答码，可选填厂商与型号，查看它的含义、可能原因和处理办法。',
      'explain.code': '错误码',
      'explain.codePh': '如 E1、96、A7',
      'explain.vendor': '厂商',
      'explain.anyVendor': '不限（通用）',
      'explain.model': '型号（可选）',
      'explain.modelPh': '如 S90、ME31',
      'explain.submit': '查询',
      'explain.meanings': '在该终端上的含义',
      'explain.documented': '有文档依据',
      'explain.assumed': '推断',
      'explain.modelSpecific': '按型号',
      'explain.generic': '通用码表',
      'explain.source': '来源说明',
      'explain.responseCodes': '应答码（ISO 8583 第 39 域）',
      'explain.causes': '可能原因（按概率）',
      'explain.firstResponse': '第一时间处理',
      'explain.checks': '值得先做的检查',
      'explain.approved': '批准',
      'explain.declined': '未批准',
      'explain.cashierSay': '对顾客说',
      'explain.cashierDo': '收银员操作',
      'explain.start': '按此错误码开始排障',
      'empty.meanings': '厂商码表中没有这个代码。',
      'empty.responseCodes': '不是已知的应答码。',
      'empty.causes': '无法判断原因。',
      'empty.checks': '没有建议的检查。',
      'dialect.cup': '中国银联',
      'dialect.iso1987': 'ISO 8583 (1987)',

      'ts.title': '排障向导',
      'ts.intro': '按提示逐项检查并回答，系统会根据每个回答缩小原因范围，直到给出处理办法。',
      'ts.byCode': '按错误码',
      'ts.byTerminal': '按终端号',
      'ts.terminalId': '终端号',
      'ts.terminalPh': '8 位终端号',
      'ts.start': '开始排障',
      'ts.startedFrom': '排查对象：{what}',
      'ts.step': '第 {n} 步',
      'ts.whoMin': '{who} · 约 {min} 分钟',
      'ts.ok': '正常 (ok)',
      'ts.fail': '有问题 (fail)',
      'ts.skip': '跳过',
      'ts.value': '测得数值（可选）',
      'ts.valueRange': '正常范围 {lo} – {hi}',
      'ts.sendValue': '提交数值',
      'ts.valueNeeded': '请填写测得的数值',
      'ts.prevention': '预防',
      'ts.leading': '当前最可能的原因',
      'ts.done': '排查结果',
      'ts.doneConfident': '已确定最可能的原因。',
      'ts.doneUnsure': '没有更有用的检查了，以下是目前最可能的原因。',
      'ts.fix': '处理步骤',
      'ts.restart': '重新开始',
      'ts.history': '已回答',
      'ts.expired': '排障会话已失效，请重新开始。',
      'ts.needCode': '请输入错误码。',
      'ts.needTerminal': '请输入终端号。',
      'ts.answer.ok': '正常',
      'ts.answer.fail': '有问题',
      'ts.answer.skip': '跳过',
      'ts.sending': '提交中…',
      'ts.openTerminal': '查看终端 {id}',

      'toast.incident': '新事件：{title}（{n} 台终端）',

      'dur.hm': '{h} 小时 {m} 分',
      'dur.m': '{m} 分钟',
      'dur.s': '{s} 秒',

      'network.ethernet': '有线',
      'network.wifi': 'Wi-Fi',
      'network.cellular': '蜂窝网络',

      'stage.power_on': '开机', 'stage.connect': '连接', 'stage.tls': '安全连接', 'stage.send': '发送',
      'stage.receive': '接收', 'stage.mac': 'MAC 校验', 'stage.card_read': '读卡', 'stage.pin': '输入密码',
      'stage.print': '打印', 'stage.app': '应用',

      'txntype.purchase': '消费', 'txntype.refund': '退货', 'txntype.void': '撤销', 'txntype.preauth': '预授权',
      'txntype.completion': '预授权完成', 'txntype.balance': '余额查询', 'txntype.reversal': '冲正',
      'channel.card_ic': 'IC 卡', 'channel.card_swipe': '磁条卡', 'channel.nfc': '非接', 'channel.qr': '扫码',

      'field.terminal_id': '终端号', 'field.vendor': '厂商', 'field.model': '型号', 'field.serial': '序列号',
      'field.firmware': '固件版本', 'field.app_version': '应用版本', 'field.merchant_id': '商户号',
      'field.site_id': '门店', 'field.network': '网络', 'field.carrier': '运营商', 'field.host': '收单主机通道',
      'field.cert_not_after': '证书到期', 'field.installed': '安装时间', 'field.ts': '时间',
      'field.inventory_ts': '登记时间', 'field.city': '城市',
      'field.issuer': '发卡行', 'field.bin': '卡 BIN', 'field.name': '名称',
      'field.online': '在线', 'field.rssi_dbm': '信号强度', 'field.latency_ms': '网络延迟', 'field.packet_loss': '丢包率',
      'field.supply_v': '供电电压', 'field.battery_pct': '电池电量', 'field.power_events': '断电次数',
      'field.reboot': '重启原因', 'field.storage_used_pct': '存储占用', 'field.memory_used_pct': '内存占用',
      'field.cpu_pct': 'CPU 占用', 'field.temp_c': '温度', 'field.key_check': '密钥校验', 'field.clock_skew_s': '时钟偏差',
      'field.printer': '打印机', 'field.keypad_errors': '按键错误', 'field.card_reader_errors': '读卡错误',
      'field.app_crashes': '应用崩溃',
    },
    en: {
      'lang.other': '中文',
      'lang.title': 'Switch to Chinese',
      'logout': 'Sign out',
      'nav.overview': 'Overview',
      'nav.incidents': 'Incidents',
      'nav.terminals': 'Terminals',
      'nav.explain': 'Explain a code',
      'nav.troubleshoot': 'Troubleshoot',
      'live.on': 'Live',
      'live.connecting': 'Connecting',
      'live.off': 'Offline',
      'live.title': 'Live updates: refreshes when incidents or diagnoses arrive',
      'footer.tz': 'Times are local ({tz})',

      'login.title': 'Sign in',
      'login.help': 'Enter the access token your administrator gave you (made by posdoc token create). It is kept in this browser only.',
      'login.token': 'Access token',
      'login.submit': 'Sign in',
      'login.empty': 'Please enter a token.',
      'login.rejected': 'The token was rejected (unknown or revoked). Please sign in again.',
      'login.signedOut': 'Signed out.',

      'common.loading': 'Loading…',
      'common.retry': 'Retry',
      'common.error': 'Could not load: {msg}',
      'common.forbidden': 'Your token is not allowed to see this.',
      'common.network': 'Cannot reach the server',
      'common.updated': 'Updated {time}',
      'common.notFound': '{what} was not found.',
      'common.backHome': 'Back to the overview',
      'common.terminals': '{n} terminals',
      'common.more': '{n} more not shown',
      'common.yes': 'yes',
      'common.no': 'no',
      'page.notFound': 'Page not found',
      'page.notFoundText': 'There is no page at {hash}.',

      'overview.title': 'Overview',
      'card.terminals': 'Terminals',
      'card.online': 'Online',
      'card.onlineOf': '{pct} of fleet',
      'card.openIncidents': 'Open incidents',
      'card.records': 'Records',
      'card.diagnoses': 'Diagnoses',
      'chart.failureRate': 'Transactions and failures (per minute, last 6 hours of data)',
      'series.txns': 'Transactions',
      'series.failed': 'Failed',
      'series.errors': 'Errors',
      'series.rate': 'Failure rate %',
      'series.terminals': 'Terminals affected',
      'overview.openIncidents': 'Open incidents',
      'overview.now': 'Data as of',
      'overview.closedIncidents': 'Recently closed incidents',
      'overview.worstSites': 'Worst sites',
      'overview.topCauses': 'Top causes',
      'empty.openIncidents': 'No open incidents. All clear.',
      'empty.closedIncidents': 'No closed incidents yet.',
      'empty.sites': 'No site failures.',
      'empty.causes': 'No diagnoses yet.',
      'empty.chart': 'No transactions or errors in the last 6 hours of data.',

      'col.site': 'Site',
      'col.name': 'Name',
      'col.failures': 'Failures',
      'col.cause': 'Cause',
      'col.count': 'Count',
      'col.time': 'Time',
      'col.terminal': 'Terminal',
      'col.code': 'Code',
      'col.topCause': 'Most likely cause',
      'col.evidence': 'Main evidence',
      'col.vendorModel': 'Vendor / model',
      'col.merchant': 'Merchant',
      'col.network': 'Network',
      'col.lastSeen': 'Last seen',
      'col.status': 'Status',
      'col.errors24h': 'Errors 24 h',
      'col.lastCause': 'Last cause',
      'col.type': 'Type',
      'col.amount': 'Amount',
      'col.channel': 'Channel',
      'col.response': 'Response',
      'col.latency': 'Latency',
      'col.event': 'Event',

      'incidents.title': 'Incidents',
      'incidents.open': 'Open',
      'incidents.closed': 'Closed',
      'incident.title': 'Incident {id}',
      'incident.what': 'Incident',
      'incident.scope': 'Scope',
      'incident.cause': 'Cause',
      'incident.opened': 'Opened',
      'incident.closed': 'Closed',
      'incident.updated': 'Last update',
      'incident.duration': 'Duration',
      'incident.state.open': 'Open',
      'incident.state.closed': 'Closed',
      'incident.mergedInto': 'Merged into a broader incident',
      'incident.terminals': 'Affected terminals ({n})',
      'incident.evidence': 'Evidence (most cited by its members’ diagnoses)',
      'incident.timeline': 'Timeline',
      'incident.diagnoses': 'Latest diagnoses',
      'incident.ongoing': 'ongoing',
      'event.opened': 'opened',
      'event.joined': 'terminal joined',
      'event.closed': 'closed',
      'empty.evidence': 'No evidence yet.',
      'empty.incidentTerminals': 'No affected terminals visible to you.',
      'empty.diagnoses': 'No diagnoses yet.',
      'empty.timeline': 'No timeline data yet.',

      'terminals.title': 'Terminals',
      'terminals.search': 'Search by terminal, site or merchant ID (prefix)',
      'terminals.count': '{n} shown',
      'empty.terminals': 'No matching terminals.',
      'status.online': 'Online',
      'status.offline': 'Offline',
      'status.unknown': 'Unknown',

      'terminal.title': 'Terminal {id}',
      'terminal.inventory': 'Inventory',
      'terminal.telemetry': 'Latest telemetry',
      'terminal.charts': 'Telemetry',
      'terminal.errorMarks': 'Red dashed lines: errors',
      'terminal.errors': 'Recent failures and diagnoses',
      'terminal.txns': 'Recent transactions',
      'terminal.inIncident': 'This terminal is part of incident {id}',
      'terminal.troubleshoot': 'Troubleshoot this terminal',
      'empty.telemetry': 'No telemetry yet.',
      'empty.errors': 'No recent failures.',
      'empty.txns': 'No transactions yet.',
      'empty.inventory': 'No inventory record for this terminal.',
      'txn.timeout': 'timed out',
      'source.txn': 'failed payment',
      'txn.noResponse': 'no response',

      'diag.causes': 'Likely causes',
      'diag.evidence': 'Evidence',
      'diag.checks': 'Next checks',
      'diag.incident': 'Incident',
      'diag.none': 'No diagnosis yet.',
      'diag.minutes': '~{n} min',
      'who.cashier': 'Cashier',
      'who.technician': 'Technician',
      'who.support': 'Support',

      'explain.title': 'Explain an error code',
      'explain.prompt': 'Enter the error or response code the terminal shows; vendor and model are optional. You get what it means, the likely causes and what to do.',
      'explain.code': 'Code',
      'explain.codePh': 'e.g. E1, 96, A7',
      'explain.vendor': 'Vendor',
      'explain.anyVendor': 'Any (generic)',
      'explain.model': 'Model (optional)',
      'explain.modelPh': 'e.g. S90, ME31',
      'explain.submit': 'Explain',
      'explain.meanings': 'What it means on this terminal',
      'explain.documented': 'documented',
      'explain.assumed': 'assumed',
      'explain.modelSpecific': 'model-specific',
      'explain.generic': 'generic table',
      'explain.source': 'Source',
      'explain.responseCodes': 'Response codes (ISO 8583 field 39)',
      'explain.causes': 'Ranked causes',
      'explain.firstResponse': 'First response',
      'explain.checks': 'Checks worth doing first',
      'explain.approved': 'approved',
      'explain.declined': 'not approved',
      'explain.cashierSay': 'Tell the customer',
      'explain.cashierDo': 'Cashier does',
      'explain.start': 'Troubleshoot this code',
      'empty.meanings': 'The vendor’s code table does not list this code.',
      'empty.responseCodes': 'Not a known response code.',
      'empty.checks': 'No checks suggested.',
      'dialect.cup': 'China UnionPay',
      'dialect.iso1987': 'ISO 8583 (1987)',

      'ts.title': 'Guided troubleshooting',
      'ts.intro': 'Do each check and answer it; every answer narrows the cause down until the fix is clear.',
      'ts.byCode': 'By error code',
      'ts.byTerminal': 'By terminal',
      'ts.terminalId': 'Terminal ID',
      'ts.terminalPh': '8-character TID',
      'ts.start': 'Start',
      'ts.startedFrom': 'Troubleshooting: {what}',
      'ts.step': 'Step {n}',
      'ts.whoMin': '{who} · about {min} min',
      'ts.ok': 'OK',
      'ts.fail': 'Fail',
      'ts.skip': 'Skip',
      'ts.value': 'Measured value (optional)',
      'ts.valueRange': 'normal range {lo} – {hi}',
      'ts.sendValue': 'Submit value',
      'ts.valueNeeded': 'Enter the measured value',
      'ts.prevention': 'Prevention',
      'ts.leading': 'Leading causes',
      'ts.done': 'Result',
      'ts.doneConfident': 'The most likely cause is clear.',
      'ts.doneUnsure': 'No more useful checks; this is the most likely cause so far.',
      'ts.fix': 'Fix',
      'ts.restart': 'Start over',
      'ts.history': 'Answered',
      'ts.expired': 'This troubleshooting session has expired; please start again.',
      'ts.needCode': 'Enter an error code.',
      'ts.needTerminal': 'Enter a terminal ID.',
      'ts.answer.ok': 'OK',
      'ts.answer.fail': 'Fail',
      'ts.answer.skip': 'Skipped',
      'ts.sending': 'Sending…',
      'ts.openTerminal': 'Open terminal {id}',

      'toast.incident': 'New incident: {title} ({n} terminals)',

      'dur.hm': '{h} h {m} min',
      'dur.m': '{m} min',
      'dur.s': '{s} s',

      'network.ethernet': 'Ethernet',
      'network.wifi': 'Wi-Fi',
      'network.cellular': 'Cellular',

      'stage.power_on': 'power on', 'stage.connect': 'connect', 'stage.tls': 'TLS', 'stage.send': 'send',
      'stage.receive': 'receive', 'stage.mac': 'MAC', 'stage.card_read': 'card read', 'stage.pin': 'PIN entry',
      'stage.print': 'print', 'stage.app': 'app',

      'txntype.purchase': 'purchase', 'txntype.refund': 'refund', 'txntype.void': 'void', 'txntype.preauth': 'pre-auth',
      'txntype.completion': 'completion', 'txntype.balance': 'balance', 'txntype.reversal': 'reversal',
      'channel.card_ic': 'IC card', 'channel.card_swipe': 'swipe', 'channel.nfc': 'contactless', 'channel.qr': 'QR',

      'field.terminal_id': 'Terminal ID', 'field.vendor': 'Vendor', 'field.model': 'Model', 'field.serial': 'Serial',
      'field.firmware': 'Firmware', 'field.app_version': 'App version', 'field.merchant_id': 'Merchant ID',
      'field.site_id': 'Site', 'field.network': 'Network', 'field.carrier': 'Carrier', 'field.host': 'Acquirer host',
      'field.cert_not_after': 'Certificate expires', 'field.installed': 'Installed', 'field.ts': 'Time',
      'field.inventory_ts': 'Recorded', 'field.city': 'City',
      'field.issuer': 'Issuer', 'field.bin': 'Card BIN', 'field.name': 'Name',
      'field.online': 'Online', 'field.rssi_dbm': 'Signal', 'field.latency_ms': 'Latency', 'field.packet_loss': 'Packet loss',
      'field.supply_v': 'Supply voltage', 'field.battery_pct': 'Battery', 'field.power_events': 'Power events',
      'field.reboot': 'Reboot reason', 'field.storage_used_pct': 'Storage used', 'field.memory_used_pct': 'Memory used',
      'field.cpu_pct': 'CPU', 'field.temp_c': 'Temperature', 'field.key_check': 'Key check', 'field.clock_skew_s': 'Clock skew',
      'field.printer': 'Printer', 'field.keypad_errors': 'Keypad errors', 'field.card_reader_errors': 'Card reader errors',
      'field.app_crashes': 'App crashes',
    },
  };

  // The vendors the explain and troubleshoot forms offer (slugs as in FORMAT.md).
  const VENDORS = [
    ['pax', '百富 PAX', 'PAX'],
    ['newland', '新大陆 Newland', 'Newland'],
    ['landi', '联迪 Landi', 'Landi'],
    ['verifone', 'Verifone', 'Verifone'],
    ['ingenico', 'Ingenico', 'Ingenico'],
    ['sunmi', '商米 Sunmi', 'Sunmi'],
    ['centerm', '升腾 Centerm', 'Centerm'],
  ];

  // ---------------------------------------------------------------- state
  const KEY_TOKEN = 'posdoc.token';
  const KEY_LANG = 'posdoc.lang';
  const KEY_TS = 'posdoc.troubleshoot'; // sessionStorage: survive a reload mid-session
  const REFRESH_MIN_MS = 2000;

  const store = {
    get(k) { try { return localStorage.getItem(k); } catch (_) { return null; } },
    set(k, v) { try { localStorage.setItem(k, v); } catch (_) { /* private mode */ } },
    del(k) { try { localStorage.removeItem(k); } catch (_) { /* ignore */ } },
  };

  const S = {
    token: store.get(KEY_TOKEN) || '',
    lang: store.get(KEY_LANG) === 'en' ? 'en' : 'zh',
    route: null,
    gen: 0,               // render generation: late answers of an older render are dropped
    charts: [],           // live uPlot instances of the current view, destroyed on re-render
    es: null,             // EventSource
    esRetry: 0,
    esTimer: null,
    refreshTimer: null,
    lastRefreshAt: 0,
    dirty: false,         // a refresh was due while the tab was hidden
    knownIncidents: new Set(),
    loginMsg: '',         // I18N key of the login form's message
    causeTitles: { zh: new Map(), en: new Map() }, // cause id -> title, learnt from any answer
    openDetails: new Set(), // which diagnosis panels the user opened (kept across live refreshes)
    ts: loadTs(),
  };

  function t(key, vars) {
    let s = I18N[S.lang][key];
    if (s === undefined) s = I18N.zh[key] !== undefined ? I18N.zh[key] : key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
    return s;
  }
  // A translated enum value (stage, network, ...) or the raw value when unknown.
  function tv(prefix, v) {
    if (v === undefined || v === null || v === '') return '—';
    const k = prefix + '.' + v;
    return I18N[S.lang][k] !== undefined ? I18N[S.lang][k] : String(v);
  }

  // ---------------------------------------------------------------- DOM helpers
  const $ = (sel, root) => (root || document).querySelector(sel);

  // h('div', {class: 'x', onclick: fn}, 'text', child, [more]) — builds elements;
  // strings always become text nodes, so server data cannot inject markup.
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    let value;
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'value') value = v;
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else if (k === 'style') Object.assign(el.style, v);
        else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (v === true) el.setAttribute(k, '');
        else el.setAttribute(k, String(v));
      }
    }
    add(el, kids);
    if (value !== undefined) el.value = value;
    return el;
  }
  function add(el, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k === undefined || k === null || k === false) continue;
      el.append(k instanceof Node ? k : String(k));
    }
    return el;
  }
  const enc = encodeURIComponent;

  function card(title, body, opts) {
    const o = opts || {};
    return h('section', { class: 'card' + (o.class ? ' ' + o.class : ''), id: o.id },
      title ? h('div', { class: 'card-head' }, h('h2', null, title), o.extra || null) : null,
      body);
  }
  const empty = (text) => h('p', { class: 'empty' }, text);
  const badge = (text, kind, title) => h('span', { class: 'badge' + (kind ? ' badge-' + kind : ''), title }, text);
  const mono = (text, title) => h('span', { class: 'mono', title }, text);

  // A row of label/value pairs (inventory, telemetry, incident facts).
  function kvGrid(rows) {
    return h('dl', { class: 'kv' }, rows.map(([k, v, cls]) => [
      h('dt', null, k), h('dd', { class: cls }, v === undefined || v === null || v === '' ? '—' : v),
    ]));
  }

  // Horizontal probability bar with its label; p in 0..1.
  function probBar(label, p, sub) {
    const fill = h('span', { class: 'bar-fill' });
    fill.style.width = Math.max(0, Math.min(100, (Number(p) || 0) * 100)).toFixed(1) + '%';
    return h('div', { class: 'bar-row' },
      h('div', { class: 'bar-label' }, h('span', { class: 'bar-title' }, label), sub ? h('span', { class: 'bar-sub mono' }, sub) : null),
      h('div', { class: 'bar' }, fill),
      h('span', { class: 'bar-val' }, fmtPct(p)));
  }

  function toast(text, href) {
    const box = $('#toasts');
    const el = href ? h('a', { class: 'toast', href }, text) : h('div', { class: 'toast' }, text);
    box.append(el);
    setTimeout(() => el.classList.add('toast-out'), 6000);
    setTimeout(() => el.remove(), 6600);
  }

  // ---------------------------------------------------------------- formatting
  const pad2 = (n) => String(n).padStart(2, '0');
  function parseTs(iso) {
    if (iso === undefined || iso === null || iso === '') return null;
    const d = new Date(iso);
    return isNaN(d.getTime()) ? null : d;
  }
  // Local wall-clock time; the raw RFC 3339 value stays in the tooltip.
  function fmtTime(iso, short) {
    const d = parseTs(iso);
    if (!d) return iso ? String(iso) : '—';
    const hms = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
    return short ? hms : `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hms}`;
  }
  function timeEl(iso, short) {
    if (!iso) return '—';
    return h('time', { datetime: iso, title: iso }, fmtTime(iso, short));
  }
  function fmtNum(n, digits) {
    if (n === undefined || n === null || n === '' || isNaN(Number(n))) return '—';
    return new Intl.NumberFormat(S.lang === 'zh' ? 'zh-CN' : 'en-US',
      { maximumFractionDigits: digits === undefined ? 0 : digits }).format(Number(n));
  }
  function fmtPct(p) {
    const x = Number(p);
    if (p === undefined || p === null || isNaN(x)) return '—';
    const v = x * 100;
    return (v > 0 && v < 10 ? v.toFixed(1) : v.toFixed(0)) + '%';
  }
  function fmtDuration(ms) {
    if (ms === null || isNaN(ms) || ms < 0) return '—';
    const s = Math.round(ms / 1000);
    if (s < 60) return t('dur.s', { s });
    const m = Math.floor(s / 60);
    if (m < 60) return t('dur.m', { m });
    return t('dur.hm', { h: Math.floor(m / 60), m: m % 60 });
  }
  function fmtMoney(amount, currency) {
    if (amount === undefined || amount === null) return '—';
    const yuan = (Number(amount) / 100).toFixed(2);
    return (currency === 'CNY' || currency === '156' || !currency) ? '¥' + yuan : yuan + ' ' + currency;
  }
  function tzLabel() {
    const off = -new Date().getTimezoneOffset();
    const sign = off >= 0 ? '+' : '-';
    const a = Math.abs(off);
    return `UTC${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
  }
  function terminalsOf(inc) {
    return (inc.terminals || []).map((x) => (typeof x === 'string' ? x : (x && x.terminal_id) || String(x)));
  }
  // Some answers give a cause id only (a terminal's `last_cause`): show its
  // title when another answer already told it in this language.
  function learnCauses(list) {
    const m = S.causeTitles[S.lang];
    for (const c of list || []) if (c && c.cause && c.title) m.set(c.cause, c.title);
  }
  function causeText(c) {
    if (!c) return '—';
    if (typeof c === 'string') {
      const title = S.causeTitles[S.lang].get(c);
      return title ? h('span', { title: c }, title) : mono(c);
    }
    return c.title || c.cause || '—';
  }

  // ---------------------------------------------------------------- API
  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  // Every call carries the token and `lang=` so server texts come in the UI language.
  async function api(path, opts) {
    const o = opts || {};
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(o.params || {})) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    }
    qs.set('lang', S.lang);
    const headers = { Authorization: 'Bearer ' + S.token, Accept: 'application/json' };
    const init = { method: o.method || 'GET', headers, cache: 'no-store' };
    if (o.body !== undefined) {
      // The troubleshooting POSTs read `lang` from the JSON body: send it in both places.
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(Object.assign({ lang: S.lang }, o.body));
    }
    let res;
    try {
      res = await fetch(path + '?' + qs.toString(), init);
    } catch (_) {
      throw new ApiError(0, t('common.network'));
    }
    if (res.status === 401) {
      signOut('login.rejected');
      throw new ApiError(401, t('login.rejected'));
    }
    if (!res.ok) {
      let msg = '';
      try {
        const text = await res.text();
        try {
          const j = JSON.parse(text);
          msg = (j && (j.error || j.message || j.reason)) || '';
          if (msg && typeof msg !== 'string') msg = JSON.stringify(msg);
        } catch (_) { msg = text.slice(0, 300); }
      } catch (_) { /* no body */ }
      throw new ApiError(res.status, msg || `HTTP ${res.status}`);
    }
    return res.json();
  }

  // What a failed section shows instead of its content.
  function errorBox(err, retry) {
    if (err && err.status === 401) return empty(t('login.rejected'));
    const text = err && err.status === 403 ? t('common.forbidden') : t('common.error', { msg: (err && err.message) || '?' });
    return h('div', { class: 'error-box', role: 'alert' }, h('span', null, text),
      retry ? h('button', { class: 'btn btn-small', type: 'button', onclick: retry }, t('common.retry')) : null);
  }

  // ---------------------------------------------------------------- auth
  function saveToken(tok) {
    S.token = tok;
    store.set(KEY_TOKEN, tok);
  }

  // msgKey: an I18N key, so the message follows a language switch on the login form.
  function signOut(msgKey) {
    S.token = '';
    store.del(KEY_TOKEN);
    clearTimeout(S.refreshTimer); // a live refresh due now would find no token
    S.refreshTimer = null;
    S.gen++;                      // and answers still in flight are dropped
    closeStream();
    destroyCharts();
    showLogin(msgKey);
  }

  function showLogin(msgKey) {
    S.loginMsg = msgKey || '';
    $('#app').hidden = true;
    $('#nav').hidden = true;
    $('#logout').hidden = true;
    $('#live').hidden = true;
    $('#login').hidden = false;
    $('#view').replaceChildren();
    $('#page-meta').textContent = '';
    setTitle(t('login.title'));
    showLoginMessage();
    const input = $('#login-token');
    input.value = '';
    input.focus();
  }

  function showLoginMessage() {
    const m = $('#login-message');
    m.textContent = S.loginMsg ? t(S.loginMsg) : '';
    m.classList.toggle('is-error', !!S.loginMsg && S.loginMsg !== 'login.signedOut');
  }

  function showApp() {
    if (!$('#app').hidden) return;
    $('#login').hidden = true;
    $('#app').hidden = false;
    $('#nav').hidden = false;
    $('#logout').hidden = false;
    $('#live').hidden = false;
  }

  // `posdoc demo` prints a link with `#token=...`: take it, store it, and
  // clear it from the address bar (and the history entry) right away.
  function takeTokenFromHash() {
    const raw = location.hash.replace(/^#/, '');
    if (!/(^|[?&])token=/.test(raw)) return;
    let path = '/';
    let qs = raw;
    if (raw.startsWith('/')) {
      const i = raw.indexOf('?');
      path = i < 0 ? raw : raw.slice(0, i);
      qs = i < 0 ? '' : raw.slice(i + 1);
    }
    const keep = [];
    for (const part of qs.split('&')) {
      if (part.startsWith('token=')) {
        let tok = part.slice(6);
        try { tok = decodeURIComponent(tok); } catch (_) { /* keep raw */ }
        if (tok) saveToken(tok.trim());
      } else if (part.startsWith('lang=')) {
        const l = part.slice(5);
        if (l === 'zh' || l === 'en') { S.lang = l; store.set(KEY_LANG, l); }
      } else if (part) {
        keep.push(part);
      }
    }
    const hash = '#' + path + (keep.length ? '?' + keep.join('&') : '');
    history.replaceState(null, '', location.pathname + location.search + hash);
  }

  // ---------------------------------------------------------------- language
  function applyLang() {
    document.documentElement.lang = S.lang === 'zh' ? 'zh-CN' : 'en';
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    const sw = $('#lang-switch');
    sw.textContent = t('lang.other');
    sw.title = t('lang.title');
    $('#login-token').placeholder = t('login.token');
    $('#footer-tz').textContent = t('footer.tz', { tz: tzLabel() });
    $('#live').title = t('live.title');
    setLive($('#live').dataset.state || 'off');
  }

  function switchLang() {
    S.lang = S.lang === 'zh' ? 'en' : 'zh';
    store.set(KEY_LANG, S.lang);
    applyLang();
    if (!S.token) { setTitle(t('login.title')); showLoginMessage(); return; }
    openStream(); // the stream's texts are in the language it was opened with
    render();
  }

  // ---------------------------------------------------------------- live stream
  function setLive(state) {
    const el = $('#live');
    el.dataset.state = state;
    $('#live-text').textContent = t('live.' + state);
  }

  function closeStream() {
    if (S.es) { S.es.close(); S.es = null; }
    clearTimeout(S.esTimer);
    setLive('off');
  }

  function openStream() {
    closeStream();
    if (!S.token || typeof EventSource === 'undefined') return;
    const es = new EventSource('/api/v1/stream?token=' + enc(S.token) + '&lang=' + S.lang);
    S.es = es;
    setLive('connecting');
    es.onopen = () => { S.esRetry = 0; setLive('on'); };
    es.onerror = () => {
      if (S.es !== es) return;
      if (es.readyState === EventSource.CLOSED) { setLive('off'); reconnectLater(); } else setLive('connecting');
    };
    es.addEventListener('incident', (e) => onLive('incident', e.data));
    es.addEventListener('diagnosis', (e) => onLive('diagnosis', e.data));
  }

  // The browser gives up on a stream answered with an error (e.g. 401): ask the
  // API once (a 401 there signs out), then try again with a growing delay.
  function reconnectLater() {
    clearTimeout(S.esTimer);
    const delay = Math.min(60000, 3000 * Math.pow(2, S.esRetry++));
    S.esTimer = setTimeout(async () => {
      if (!S.token) return;
      try { await api('/api/v1/incidents', { params: { state: 'open', limit: 1 } }); } catch (e) { if (e.status === 401) return; }
      if (S.token) openStream();
    }, delay);
  }

  // The stream also sends an incident when terminals join it or it closes;
  // knowing the open ones first keeps the "new incident" toast for new ones.
  function seedIncidents() {
    api('/api/v1/incidents', { params: { state: 'open', limit: 1000 } })
      .then((r) => { for (const i of r.incidents || []) S.knownIncidents.add(i.incident_id); })
      .catch(() => { /* a 401 already signed out; anything else only costs a toast */ });
  }

  function onLive(type, raw) {
    let d;
    try { d = JSON.parse(raw); } catch (_) { return; }
    if (!d || typeof d !== 'object') return;
    if (type === 'incident' && d.incident_id) {
      const isNew = !d.closed_at && !d.merged_into && !S.knownIncidents.has(d.incident_id);
      S.knownIncidents.add(d.incident_id);
      if (isNew) {
        toast(t('toast.incident', { title: d.title || d.cause || d.incident_id, n: terminalsOf(d).length }),
          '#/incidents/' + enc(d.incident_id));
      }
    }
    if (isRelevant(type, d)) scheduleRefresh();
  }

  // Does this event change what the current page shows?
  function isRelevant(type, d) {
    const r = S.route;
    if (!r) return false;
    switch (r.name) {
      case 'overview': return true;
      case 'incidents': return type === 'incident';
      case 'incident':
        if (type === 'incident') return d.incident_id === r.id || d.merged_into === r.id;
        return d.incident_id === r.id;
      case 'terminal':
        if (type === 'diagnosis') return d.terminal_id === r.id;
        return terminalsOf(d).includes(r.id);
      case 'terminals': return type === 'diagnosis';
      default: return false; // forms (explain, troubleshoot) never change under the user's hands
    }
  }

  // At most one refresh per REFRESH_MIN_MS; none while the tab is hidden.
  function scheduleRefresh() {
    if (S.refreshTimer) return;
    const wait = Math.max(0, S.lastRefreshAt + REFRESH_MIN_MS - Date.now());
    S.refreshTimer = setTimeout(() => {
      S.refreshTimer = null;
      if (document.hidden) { S.dirty = true; return; }
      S.lastRefreshAt = Date.now();
      render({ soft: true });
    }, wait);
  }

  // ---------------------------------------------------------------- charts
  const COLORS = {
    txns: '#3d71d9', failed: '#d93b3b', errors: '#e8892b', rate: '#8a4fd1',
    terminals: '#d93b3b', metric: '#2a8c82', mark: 'rgba(217,59,59,0.55)',
  };
  const FONT = '11px -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

  function destroyCharts() {
    for (const c of S.charts) {
      try { c.ro && c.ro.disconnect(); c.u.destroy(); } catch (_) { /* already gone */ }
    }
    S.charts = [];
  }

  function axis(extra) {
    return Object.assign({
      stroke: '#5f6b7a', font: FONT, size: 44,
      grid: { stroke: '#edf0f4', width: 1 }, ticks: { stroke: '#dfe3e8', width: 1, size: 4 },
    }, extra || {});
  }

  // Vertical dashed lines at given times (seconds): errors over telemetry.
  function markPlugin(times) {
    return {
      hooks: {
        draw: [(u) => {
          if (!times.length) return;
          const c = u.ctx;
          c.save();
          c.strokeStyle = COLORS.mark;
          c.lineWidth = Math.max(1, devicePixelRatio);
          c.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
          const { left, top, width, height } = u.bbox;
          for (const tm of times) {
            const x = Math.round(u.valToPos(tm, 'x', true));
            if (x < left || x > left + width) continue;
            c.beginPath(); c.moveTo(x, top); c.lineTo(x, top + height); c.stroke();
          }
          c.restore();
        }],
      },
    };
  }

  // A chart placeholder; the uPlot instance is made once the view is in the
  // document (it needs a width), then follows the box's size.
  function chartBox(ctx, build, height) {
    const box = h('div', { class: 'chart' });
    const ht = height || 220;
    ctx.after.push(() => {
      if (typeof uPlot === 'undefined') { box.append(empty('uPlot missing')); return; }
      const { opts, data } = build();
      // 24-hour local times on the x axis and in the legend, in both languages.
      opts.series[0] = Object.assign({ label: t('col.time'), value: (u, v) => (v === null || v === undefined ? '—' : fmtTime(v * 1000)) }, opts.series[0]);
      if (opts.axes) opts.axes[0] = Object.assign({ values: timeAxisValues }, opts.axes[0]);
      const width = Math.max(200, box.clientWidth || 600);
      const base = {
        width, height: ht,
        cursor: { drag: { x: true, y: false }, points: { size: 6 } },
        scales: { x: { time: true, range: (u, min, max) => (min === max ? [min - 300, max + 300] : [min, max]) } },
        legend: { live: true },
      };
      const u = new uPlot(Object.assign(base, opts, { scales: Object.assign(base.scales, opts.scales || {}) }), data, box);
      let ro = null;
      if (typeof ResizeObserver !== 'undefined') {
        ro = new ResizeObserver(() => {
          const w = box.clientWidth;
          if (w && Math.abs(w - u.width) > 2) u.setSize({ width: w, height: ht });
        });
        ro.observe(box);
      }
      S.charts.push({ u, ro });
    });
    return box;
  }

  // Tick labels: HH:mm (with the date under the first tick of each day), or
  // MM-DD when ticks are days apart.
  function timeAxisValues(u, splits, axisIdx, space, incr) {
    let prevDay = null;
    return splits.map((v) => {
      const d = new Date(v * 1000);
      const day = `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
      let out = incr >= 86400 ? day : `${pad2(d.getHours())}:${pad2(d.getMinutes())}` + (incr < 60 ? ':' + pad2(d.getSeconds()) : '');
      if (incr < 86400 && day !== prevDay) out += '\n' + day;
      prevDay = day;
      return out;
    });
  }

  const secs = (iso) => { const d = parseTs(iso); return d ? d.getTime() / 1000 : null; };

  // ---------------------------------------------------------------- shared widgets
  function scopeChips(scope, id) {
    const entries = Object.entries(scope || {});
    return h('div', { class: 'chips', id },
      entries.length ? entries.map(([k, v]) => h('span', { class: 'chip', title: tv('field', k) },
        h('span', { class: 'chip-k' }, k), '=', h('span', { class: 'chip-v' }, typeof v === 'string' ? v : JSON.stringify(v))))
        : h('span', { class: 'muted' }, '—'));
  }

  function incidentLink(inc, cls) {
    const id = inc.incident_id;
    const n = terminalsOf(inc).length;
    return h('a', { class: cls || 'incident-link', href: '#/incidents/' + enc(id), 'data-incident-id': id },
      h('div', { class: 'il-top' },
        h('span', { class: 'il-title' }, inc.title || inc.cause || id),
        h('span', { class: 'il-p' }, fmtPct(inc.p))),
      scopeChips(inc.scope),
      h('div', { class: 'il-meta' },
        mono(id), ' · ', timeEl(inc.opened_at), inc.closed_at ? [' → ', timeEl(inc.closed_at)] : null,
        ' · ', t('common.terminals', { n }),
        inc.merged_into ? [' · ', badge(t('incident.mergedInto'), 'muted')] : null));
  }

  // One diagnosis: ranked causes, why, what to check next, its incident.
  function diagnosisView(d) {
    if (!d) return empty(t('diag.none'));
    const causes = (d.causes || []).slice(0, 5);
    const ev = d.evidence || [];
    const checks = d.next_checks || [];
    return h('div', { class: 'diag' },
      h('div', { class: 'diag-col' },
        h('h3', null, t('diag.causes')),
        causes.length ? causes.map((c) => probBar(c.title || c.cause, c.p, c.title ? c.cause : null)) : empty('—'),
        d.incident_id ? h('p', { class: 'diag-inc' }, t('diag.incident') + ': ',
          h('a', { class: 'incident-ref', href: '#/incidents/' + enc(d.incident_id), 'data-incident-id': d.incident_id }, d.incident_id)) : null),
      h('div', { class: 'diag-col' },
        h('h3', null, t('diag.evidence')),
        ev.length ? h('ul', { class: 'evidence' }, ev.map((e) => h('li', null, e.text || e.signal,
          e.value !== undefined && e.value !== null ? h('span', { class: 'ev-val mono' }, String(e.value)) : null))) : empty('—')),
      h('div', { class: 'diag-col' },
        h('h3', null, t('diag.checks')),
        checks.length ? h('ol', { class: 'checks' }, checks.map((c) => h('li', null,
          h('div', null, typeof c === 'string' ? c : (c.question || c.check)),
          typeof c === 'object' ? h('div', { class: 'check-meta' },
            badge(tv('who', c.who), 'who-' + (c.who || 'x')), ' ', t('diag.minutes', { n: fmtNum(c.cost_min, 1) })) : null))) : empty('—')));
  }

  function onlineBadge(online) {
    if (online === true) return badge(t('status.online'), 'ok');
    if (online === false) return badge(t('status.offline'), 'bad');
    return badge(t('status.unknown'), 'muted');
  }

  function table(cols, rows, cls) {
    return h('div', { class: 'table-wrap' }, h('table', { class: 'table' + (cls ? ' ' + cls : '') },
      h('thead', null, h('tr', null, cols.map((c) => h('th', { class: c.cls }, c.label)))),
      h('tbody', null, rows.map((r) => h('tr', null, cols.map((c) => h('td', { class: c.cls }, c.cell(r))))))));
  }

  // ---------------------------------------------------------------- pages: overview
  async function pageOverview(r, ctx) {
    setTitle(t('overview.title'));
    const [ov, open, closed] = await Promise.allSettled([
      api('/api/v1/overview'),
      api('/api/v1/incidents', { params: { state: 'open', limit: 50 } }),
      api('/api/v1/incidents', { params: { state: 'closed', limit: 10 } }),
    ]);
    const retry = () => render();
    const o = ov.status === 'fulfilled' ? ov.value : null;
    const openList = open.status === 'fulfilled' ? (open.value.incidents || []) : null;
    const closedList = closed.status === 'fulfilled' ? (closed.value.incidents || []) : null;
    if (openList) for (const i of openList) S.knownIncidents.add(i.incident_id);
    if (o) learnCauses(o.top_causes);
    learnCauses(openList || []);

    // Cards
    let cards;
    if (o) {
      const onlinePct = o.terminals ? o.online / o.terminals : null;
      const openCount = o.open_incidents !== undefined ? o.open_incidents : (openList ? openList.length : null);
      cards = h('div', { class: 'cards' },
        statCard(t('card.terminals'), fmtNum(o.terminals)),
        statCard(t('card.online'), fmtNum(o.online), onlinePct !== null ? t('card.onlineOf', { pct: fmtPct(onlinePct) }) : null,
          onlinePct !== null && onlinePct < 0.9 ? 'warn' : null),
        statCard(t('card.openIncidents'), fmtNum(openCount), null, openCount > 0 ? 'bad' : 'ok'),
        statCard(t('card.records'), fmtNum(o.records)),
        statCard(t('card.diagnoses'), fmtNum(o.diagnoses)));
    } else {
      cards = errorBox(ov.reason, retry);
    }

    // Failure chart
    let chart;
    if (!o) chart = null;
    else if (!(o.failure_rate || []).length) chart = empty(t('empty.chart'));
    else {
      const fr = o.failure_rate.map((x) => ({ ...x, s: secs(x.t) })).filter((x) => x.s !== null).sort((a, b) => a.s - b.s);
      chart = chartBox(ctx, () => ({
        data: [
          fr.map((x) => x.s),
          fr.map((x) => x.txns ?? null),
          fr.map((x) => x.failed ?? null),
          fr.map((x) => x.errors ?? null),
          fr.map((x) => (x.txns ? (100 * (x.failed || 0)) / x.txns : null)),
        ],
        opts: {
          series: [
            {},
            { label: t('series.txns'), stroke: COLORS.txns, fill: 'rgba(61,113,217,0.08)', width: 1.5, value: (u, v) => fmtNum(v) },
            { label: t('series.failed'), stroke: COLORS.failed, width: 1.5, value: (u, v) => fmtNum(v) },
            { label: t('series.errors'), stroke: COLORS.errors, width: 1.5, value: (u, v) => fmtNum(v) },
            { label: t('series.rate'), stroke: COLORS.rate, width: 1, dash: [5, 4], scale: '%', value: (u, v) => (v === null ? '—' : v.toFixed(1) + '%') },
          ],
          scales: { '%': { range: (u, min, max) => [0, Math.max(5, Math.ceil(max || 0))] } },
          axes: [axis(), axis(), axis({ scale: '%', side: 1, grid: { show: false }, values: (u, vals) => vals.map((v) => v + '%') })],
        },
      }), 240);
    }

    // Open incidents: the hook for tests is #open-incidents > a.incident-link
    const openBox = h('div', { id: 'open-incidents', class: 'incident-list' },
      openList ? (openList.length ? openList.map((i) => incidentLink(i)) : empty(t('empty.openIncidents'))) : errorBox(open.reason, retry));

    const sites = o ? (o.worst_sites || []) : [];
    const sitesBody = !o ? errorBox(ov.reason, retry) : sites.length ? table([
      { label: t('col.site'), cell: (s) => h('a', { href: '#/terminals?q=' + enc(s.site_id) }, mono(s.site_id)) },
      { label: t('col.name'), cell: (s) => s.name || '—' },
      { label: t('col.failures'), cls: 'num', cell: (s) => fmtNum(s.failures) },
    ], sites.slice(0, 10), 'compact') : empty(t('empty.sites'));

    const causes = o ? (o.top_causes || []) : [];
    const maxCount = Math.max(1, ...causes.map((c) => c.count || 0));
    const causesBody = !o ? errorBox(ov.reason, retry) : causes.length
      ? h('div', { class: 'bars' }, causes.slice(0, 10).map((c) => countBar(c.title || c.cause, c.count, maxCount, c.cause)))
      : empty(t('empty.causes'));

    const closedBox = h('div', { class: 'incident-list' },
      closedList ? (closedList.length ? closedList.map((i) => incidentLink(i, 'closed-incident-link')) : empty(t('empty.closedIncidents')))
        : errorBox(closed.reason, retry));

    return h('div', { class: 'stack' },
      cards,
      chart ? card(t('chart.failureRate'), chart, { extra: o && o.now ? h('span', { class: 'muted small' }, t('overview.now'), ' ', timeEl(o.now)) : null }) : null,
      h('div', { class: 'grid-2-1' },
        card(t('overview.openIncidents'), openBox, { extra: openList ? badge(String(openList.length), openList.length ? 'bad' : 'ok') : null }),
        h('div', { class: 'stack' },
          card(t('overview.worstSites'), sitesBody),
          card(t('overview.topCauses'), causesBody))),
      card(t('overview.closedIncidents'), closedBox));
  }

  function statCard(label, value, sub, kind) {
    return h('div', { class: 'stat' + (kind ? ' stat-' + kind : '') },
      h('div', { class: 'stat-label' }, label),
      h('div', { class: 'stat-value' }, value),
      sub ? h('div', { class: 'stat-sub' }, sub) : null);
  }

  function countBar(label, count, max, sub) {
    const fill = h('span', { class: 'bar-fill bar-count' });
    fill.style.width = ((100 * (count || 0)) / max).toFixed(1) + '%';
    return h('div', { class: 'bar-row' },
      h('div', { class: 'bar-label' }, h('span', { class: 'bar-title' }, label), sub && sub !== label ? h('span', { class: 'bar-sub mono' }, sub) : null),
      h('div', { class: 'bar' }, fill),
      h('span', { class: 'bar-val' }, fmtNum(count)));
  }

  // ---------------------------------------------------------------- pages: incidents list
  async function pageIncidents(r) {
    setTitle(t('incidents.title'));
    const state = r.q.get('state') === 'closed' ? 'closed' : 'open';
    const res = await api('/api/v1/incidents', { params: { state, limit: 200 } });
    const list = res.incidents || [];
    if (state === 'open') for (const i of list) S.knownIncidents.add(i.incident_id);
    const tabs = h('div', { class: 'tabs' },
      h('a', { class: 'tab' + (state === 'open' ? ' is-active' : ''), href: '#/incidents?state=open' }, t('incidents.open')),
      h('a', { class: 'tab' + (state === 'closed' ? ' is-active' : ''), href: '#/incidents?state=closed' }, t('incidents.closed')));
    const body = h('div', { class: 'incident-list', id: state === 'open' ? 'open-incidents' : 'closed-incidents' },
      list.length ? list.map((i) => incidentLink(i, state === 'open' ? 'incident-link' : 'closed-incident-link'))
        : empty(t(state === 'open' ? 'empty.openIncidents' : 'empty.closedIncidents')));
    return h('div', { class: 'stack' }, tabs, card(null, body));
  }

  // ---------------------------------------------------------------- pages: incident
  async function pageIncident(r, ctx) {
    setTitle(t('incident.title', { id: r.id }));
    const inc = await api('/api/v1/incidents/' + enc(r.id));
    const isOpen = !inc.closed_at;
    if (isOpen && !inc.merged_into) S.knownIncidents.add(inc.incident_id);
    const terms = terminalsOf(inc);
    learnCauses([inc]);
    for (const d of inc.diagnoses || []) learnCauses(d.causes);
    const opened = parseTs(inc.opened_at);
    const endIso = inc.closed_at || inc.updated_at;
    const end = parseTs(endIso);
    const duration = opened && end ? end - opened : null;

    const head = h('section', { class: 'card incident-head' },
      h('div', { class: 'incident-state' },
        badge(t(isOpen ? 'incident.state.open' : 'incident.state.closed'), isOpen ? 'bad' : 'muted'),
        inc.merged_into ? h('a', { class: 'badge badge-muted', href: '#/incidents/' + enc(inc.merged_into), 'data-incident-id': inc.merged_into },
          t('incident.mergedInto') + ' → ' + inc.merged_into) : null),
      h('div', { id: 'incident-cause', class: 'incident-cause' },
        h('span', { class: 'cause-title' }, inc.title || inc.cause || '—'),
        h('span', { class: 'cause-p', title: 'p' }, fmtPct(inc.p)),
        inc.cause ? h('span', { class: 'cause-id mono' }, inc.cause) : null),
      h('div', { class: 'incident-scope-row' }, h('span', { class: 'label' }, t('incident.scope')), scopeChips(inc.scope, 'incident-scope')),
      kvGrid([
        [t('incident.opened'), timeEl(inc.opened_at)],
        [t('incident.closed'), inc.closed_at ? timeEl(inc.closed_at) : badge(t('incident.ongoing'), 'bad')],
        [t('incident.updated'), timeEl(inc.updated_at)],
        [t('incident.duration'), fmtDuration(duration)],
      ]));

    const termBox = h('div', { id: 'incident-terminals', class: 'term-list' },
      terms.length ? terms.map((id) => h('a', { class: 'terminal-link', href: '#/terminals/' + enc(id), 'data-terminal-id': id }, id))
        : empty(t('empty.incidentTerminals')));

    const ev = inc.evidence || [];
    const maxEv = Math.max(1, ...ev.map((e) => e.count || 0));
    const evBody = ev.length
      ? h('div', { class: 'bars' }, ev.map((e) => countBar(e.text || e.signal, e.count, maxEv, e.signal)))
      : empty(t('empty.evidence'));

    const tl = (inc.timeline || []).map((x) => ({ ...x, s: secs(x.t) })).filter((x) => x.s !== null).sort((a, b) => a.s - b.s);
    let tlBody;
    if (!tl.length) tlBody = empty(t('empty.timeline'));
    else {
      // Extend the step line to the incident's end (or last update) so its last level shows.
      const pts = tl.slice();
      const endS = end ? end.getTime() / 1000 : null;
      if (endS && endS > pts[pts.length - 1].s) pts.push({ s: endS, terminals: pts[pts.length - 1].terminals, event: null });
      const chart = chartBox(ctx, () => ({
        data: [pts.map((x) => x.s), pts.map((x) => (x.terminals ?? null))],
        opts: {
          series: [{}, {
            label: t('series.terminals'), stroke: COLORS.terminals, fill: 'rgba(217,59,59,0.10)', width: 2,
            paths: uPlot.paths && uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
            points: { show: true, size: 5 }, value: (u, v) => fmtNum(v),
          }],
          scales: { y: { range: (u, min, max) => [0, Math.max(1, Math.ceil((max || 0) * 1.15))] } },
          axes: [axis(), axis({ values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? v : '')) })],
        },
      }), 200);
      const rows = tl.slice().reverse().slice(0, 30);
      tlBody = h('div', null, chart, table([
        { label: t('col.time'), cell: (x) => timeEl(x.t) },
        { label: t('col.event'), cell: (x) => badge(tv('event', x.event), x.event === 'opened' ? 'bad' : x.event === 'closed' ? 'ok' : 'muted') },
        { label: t('series.terminals'), cls: 'num', cell: (x) => fmtNum(x.terminals) },
      ], rows, 'compact'), tl.length > rows.length ? h('p', { class: 'muted small' }, t('common.more', { n: tl.length - rows.length })) : null);
    }

    const diags = inc.diagnoses || [];
    const diagBody = diags.length ? table([
      { label: t('col.time'), cell: (d) => timeEl(d.ts) },
      { label: t('col.terminal'), cell: (d) => h('a', { class: 'term-ref', href: '#/terminals/' + enc(d.terminal_id), 'data-terminal-id': d.terminal_id }, d.terminal_id) },
      { label: t('col.code'), cell: (d) => mono(d.code || '—') },
      { label: t('col.topCause'), cell: (d) => { const c = (d.causes || [])[0]; return c ? [c.title || c.cause, ' ', h('span', { class: 'muted' }, fmtPct(c.p))] : '—'; } },
      { label: t('col.evidence'), cls: 'wrap', cell: (d) => { const e = (d.evidence || [])[0]; return e ? (e.text || e.signal) : '—'; } },
    ], diags, 'compact') : empty(t('empty.diagnoses'));

    return h('div', { class: 'stack' },
      head,
      h('div', { class: 'grid-2' },
        card(t('incident.terminals', { n: terms.length }), termBox),
        card(t('incident.evidence'), evBody)),
      card(t('incident.timeline'), tlBody),
      card(t('incident.diagnoses'), diagBody));
  }

  // ---------------------------------------------------------------- pages: terminals list
  async function pageTerminals(r, ctx) {
    setTitle(t('terminals.title'));
    const q = r.q.get('q') || '';
    const existing = ctx.soft ? $('#terminal-results') : null;
    if (existing) {
      // Live refresh: only the results, so the search box keeps focus and text.
      const cur = $('#terminal-search');
      await fillTerminalResults(existing, cur ? cur.value.trim() : q, ctx);
      return null;
    }
    const results = h('div', { id: 'terminal-results' }, empty(t('common.loading')));
    let timer = null;
    const input = h('input', {
      id: 'terminal-search', type: 'search', class: 'input', placeholder: t('terminals.search'), value: q,
      autocomplete: 'off', spellcheck: 'false',
      oninput: () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          const v = input.value.trim();
          history.replaceState(null, '', '#/terminals' + (v ? '?q=' + enc(v) : ''));
          S.route = parseRoute();
          fillTerminalResults(results, v, { gen: S.gen });
        }, 300);
      },
    });
    const node = h('div', { class: 'stack' }, card(null, h('div', null, h('div', { class: 'search-row' }, input), results)));
    ctx.after.push(() => { fillTerminalResults(results, q, ctx); });
    return node;
  }

  async function fillTerminalResults(box, q, ctx) {
    let res;
    try {
      res = await api('/api/v1/terminals', { params: { q, limit: 200 } });
    } catch (e) {
      if (ctx.gen === S.gen) box.replaceChildren(errorBox(e, () => fillTerminalResults(box, q, ctx)));
      return;
    }
    if (ctx.gen !== S.gen) return;
    const list = res.terminals || [];
    box.replaceChildren(list.length ? h('div', null,
      h('p', { class: 'muted small' }, t('terminals.count', { n: list.length })),
      table([
        { label: t('col.terminal'), cell: (x) => h('a', { class: 'terminal-link', href: '#/terminals/' + enc(x.terminal_id), 'data-terminal-id': x.terminal_id }, x.terminal_id) },
        { label: t('col.status'), cell: (x) => onlineBadge(x.online) },
        { label: t('col.vendorModel'), cell: (x) => [x.vendor || '—', ' ', h('span', { class: 'muted' }, x.model || '')] },
        { label: t('col.merchant'), cell: (x) => mono(x.merchant_id || '—') },
        { label: t('col.site'), cell: (x) => mono(x.site_id || '—') },
        { label: t('col.network'), cell: (x) => tv('network', x.network) },
        { label: t('col.lastSeen'), cell: (x) => timeEl(x.last_seen) },
        { label: t('col.errors24h'), cls: 'num', cell: (x) => (x.errors_24h ? h('strong', { class: 'text-bad' }, fmtNum(x.errors_24h)) : fmtNum(x.errors_24h || 0)) },
        { label: t('col.lastCause'), cell: (x) => causeText(x.last_cause) },
      ], list, 'compact')) : empty(t('empty.terminals')));
    stampUpdated();
  }

  // ---------------------------------------------------------------- pages: terminal
  const TELEMETRY_CHARTS = [
    // field, unit, value scale (packet_loss is 0..1, shown in %), digits
    ['latency_ms', 'ms', 1, 0],
    ['packet_loss', '%', 100, 1],
    ['rssi_dbm', 'dBm', 1, 0],
    ['supply_v', 'V', 1, 2],
  ];
  const TELEMETRY_UNITS = {
    rssi_dbm: ' dBm', latency_ms: ' ms', supply_v: ' V', battery_pct: '%', storage_used_pct: '%',
    memory_used_pct: '%', cpu_pct: '%', temp_c: ' °C', clock_skew_s: ' s',
  };

  function telemetryValue(k, v) {
    if (k === 'ts') return timeEl(v);
    if (k === 'online') return onlineBadge(v);
    if (k === 'packet_loss') return [fmtNum(Number(v) * 100, 1) + '%', Number(v) > 0.05 ? ' ⚠' : ''];
    if (k === 'key_check' || k === 'printer') return badge(String(v), v === 'ok' ? 'ok' : 'bad');
    if (typeof v === 'number') return fmtNum(v, 2) + (TELEMETRY_UNITS[k] || '');
    if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
    if (v && typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }
  function telemetryWarn(k, v) {
    if (k === 'online' && v === false) return 'text-bad';
    if (k === 'latency_ms' && v > 1000) return 'text-bad';
    if (k === 'packet_loss' && v > 0.05) return 'text-bad';
    if (k === 'rssi_dbm' && v < -100) return 'text-bad';
    if ((k === 'app_crashes' || k === 'keypad_errors' || k === 'card_reader_errors' || k === 'power_events') && v > 0) return 'text-bad';
    if (k === 'reboot' && v) return 'text-bad';
    return null;
  }

  async function pageTerminal(r, ctx) {
    setTitle(t('terminal.title', { id: r.id }));
    const [tmR, tlR] = await Promise.allSettled([
      api('/api/v1/terminals/' + enc(r.id)),
      api('/api/v1/terminals/' + enc(r.id) + '/timeline', { params: { limit: 500 } }),
    ]);
    if (tmR.status === 'rejected') throw tmR.reason;
    const tm = tmR.value;
    const inv = tm.terminal || null;
    const tel = tm.latest_telemetry || null;
    const timeline = tlR.status === 'fulfilled' ? tlR.value : null;

    const tsBtn = h('button', { class: 'btn btn-primary', type: 'button', id: 'terminal-troubleshoot' }, t('terminal.troubleshoot'));
    tsBtn.addEventListener('click', () => startSession({ terminal_id: r.id }, tsBtn, { terminal_id: r.id }));

    const summary = h('div', { class: 'terminal-summary' },
      h('div', { class: 'ts-facts' },
        onlineBadge(tm.online !== undefined && tm.online !== null ? tm.online : (tel ? tel.online : undefined)),
        inv ? h('span', null, [inv.vendor, inv.model].filter(Boolean).join(' ')) : null,
        inv && inv.site_id ? h('a', { href: '#/terminals?q=' + enc(inv.site_id) }, mono(inv.site_id)) : null,
        (tm.last_seen || (tel && tel.ts)) ? h('span', { class: 'muted' }, t('col.lastSeen') + ' ', timeEl(tm.last_seen || tel.ts)) : null),
      tsBtn);

    const incBanner = tm.incident_id ? h('a', { class: 'banner banner-bad incident-ref', href: '#/incidents/' + enc(tm.incident_id), 'data-incident-id': tm.incident_id },
      t('terminal.inIncident', { id: tm.incident_id }), ' →') : null;

    const invOrder = ['terminal_id', 'vendor', 'model', 'serial', 'firmware', 'app_version', 'merchant_id', 'site_id', 'network', 'carrier', 'host', 'cert_not_after', 'installed'];
    const invBody = inv ? kvGrid(orderedEntries(inv, invOrder).map(([k, v]) => {
      let val = typeof v === 'object' ? JSON.stringify(v) : String(v);
      if (k === 'network') val = tv('network', v);
      if (k === 'cert_not_after' || k === 'installed' || k === 'ts') val = timeEl(v);
      if (k === 'site_id' || k === 'merchant_id') val = h('a', { href: '#/terminals?q=' + enc(v) }, mono(String(v)));
      return [k === 'ts' ? t('field.inventory_ts') : tv('field', k), val];
    })) : empty(t('empty.inventory'));

    const telOrder = ['ts', 'online', 'latency_ms', 'packet_loss', 'rssi_dbm', 'supply_v', 'battery_pct', 'power_events', 'reboot', 'key_check', 'clock_skew_s', 'printer', 'storage_used_pct', 'memory_used_pct', 'cpu_pct', 'temp_c'];
    const telBody = tel ? kvGrid(orderedEntries(tel, telOrder).filter(([k]) => k !== 'terminal_id')
      .map(([k, v]) => [tv('field', k), telemetryValue(k, v), telemetryWarn(k, v)])) : empty(t('empty.telemetry'));

    // Telemetry charts, with errors marked, cursors in sync across them.
    let chartsBody;
    if (!timeline) chartsBody = errorBox(tlR.reason, () => render());
    else {
      const series = (timeline.telemetry || []).map((x) => ({ ...x, s: secs(x.ts) })).filter((x) => x.s !== null).sort((a, b) => a.s - b.s);
      const errTimes = (timeline.errors || []).map((e) => secs(e.ts)).filter((x) => x !== null);
      const present = TELEMETRY_CHARTS.filter(([f]) => series.some((x) => typeof x[f] === 'number'));
      chartsBody = present.length ? h('div', null,
        errTimes.length ? h('p', { class: 'muted small' }, t('terminal.errorMarks')) : null,
        h('div', { class: 'chart-grid' }, present.map(([f, unit, mul, digits]) => h('div', { class: 'mini-chart' },
          h('div', { class: 'mini-title' }, tv('field', f), ' ', h('span', { class: 'muted' }, '(' + unit + ')')),
          chartBox(ctx, () => {
            const pts = series.filter((x) => typeof x[f] === 'number');
            return {
              data: [pts.map((x) => x.s), pts.map((x) => x[f] * mul)],
              opts: {
                series: [{}, { label: tv('field', f), stroke: COLORS.metric, width: 1.5, fill: 'rgba(42,140,130,0.08)', value: (u, v) => (v === null ? '—' : fmtNum(v, digits) + ' ' + unit) }],
                axes: [axis(), axis({ size: 50 })],
                cursor: { sync: { key: 'telemetry-' + r.id }, drag: { x: true, y: false } },
                plugins: [markPlugin(errTimes)],
              },
            };
          }, 170))))) : empty(t('empty.telemetry'));
    }

    // Recent errors, newest first, each with its diagnosis.
    for (const e of tm.recent_errors || []) if (e.diagnosis) learnCauses(e.diagnosis.causes);
    const errs = (tm.recent_errors || []).slice().sort((a, b) => (secs(b.ts) || 0) - (secs(a.ts) || 0));
    const errBox = h('div', { id: 'terminal-errors', class: 'error-list' },
      errs.length ? errs.map((e, i) => errorItem(e, i, r.id)) : empty(t('empty.errors')));

    const txns = timeline ? (timeline.txns || []).slice(-30).reverse() : [];
    const txnBody = !timeline ? null : txns.length ? table([
      { label: t('col.time'), cell: (x) => timeEl(x.ts) },
      { label: t('col.type'), cell: (x) => tv('txntype', x.type) },
      { label: t('col.amount'), cls: 'num', cell: (x) => fmtMoney(x.amount, x.currency) },
      { label: t('col.channel'), cell: (x) => tv('channel', x.channel) },
      { label: t('col.response'), cell: (x) => txnOutcome(x) },
      { label: t('col.latency'), cls: 'num', cell: (x) => (x.latency_ms !== undefined ? fmtNum(x.latency_ms) + ' ms' : '—') },
    ], txns, 'compact') : empty(t('empty.txns'));

    return h('div', { class: 'stack' },
      summary,
      incBanner,
      h('div', { class: 'grid-2' }, card(t('terminal.inventory'), invBody), card(t('terminal.telemetry'), telBody)),
      card(t('terminal.charts'), chartsBody),
      card(t('terminal.errors'), errBox),
      txnBody ? card(t('terminal.txns'), txnBody) : null);
  }

  function orderedEntries(obj, order) {
    const keys = Object.keys(obj).filter((k) => k !== 'kind' && obj[k] !== null && obj[k] !== undefined);
    keys.sort((a, b) => {
      const ia = order.indexOf(a); const ib = order.indexOf(b);
      return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib);
    });
    return keys.map((k) => [k, obj[k]]);
  }

  function txnOutcome(x) {
    if (x.timed_out) return badge(t('txn.timeout'), 'bad');
    if (x.response_code === undefined || x.response_code === null) return badge(t('txn.noResponse'), 'bad');
    const ok = x.response_code === '00' || x.response_code === '10' || x.response_code === '11';
    return badge(x.response_code, ok ? 'ok' : 'bad');
  }

  // An error and its diagnosis; the open/closed state survives live refreshes.
  function errorItem(e, i, tid) {
    const key = `${tid}|${e.ts}|${e.code}|${i}`;
    const top = e.diagnosis && (e.diagnosis.causes || [])[0];
    const det = h('details', { class: 'error-item' },
      h('summary', null,
        h('span', { class: 'ei-time' }, timeEl(e.ts)),
        h('span', { class: 'ei-code' }, mono(e.code || '—')),
        e.stage ? badge(tv('stage', e.stage), 'muted') : null,
        e.diagnosis && e.diagnosis.source === 'txn' ? badge(t('source.txn'), 'muted') : null,
        h('span', { class: 'ei-cause' }, top ? [top.title || top.cause, ' ', h('span', { class: 'muted' }, fmtPct(top.p))] : h('span', { class: 'muted' }, t('diag.none'))),
        e.diagnosis && e.diagnosis.incident_id ? badge(e.diagnosis.incident_id, 'bad') : null),
      e.detail ? h('pre', { class: 'ei-detail' }, e.detail) : null,
      diagnosisView(e.diagnosis));
    if (S.openDetails.has(key) || (i === 0 && !S.openDetails.has('closed:' + key))) det.open = true;
    det.addEventListener('toggle', () => {
      if (det.open) { S.openDetails.add(key); S.openDetails.delete('closed:' + key); } else { S.openDetails.delete(key); S.openDetails.add('closed:' + key); }
    });
    return det;
  }

  // ---------------------------------------------------------------- pages: explain
  function vendorSelect(id, selected) {
    return h('select', { id, class: 'input', value: selected || '' },
      h('option', { value: '' }, t('explain.anyVendor')),
      VENDORS.map(([slug, zh, en]) => h('option', { value: slug }, S.lang === 'zh' ? zh : en)));
  }

  async function pageExplain(r, ctx) {
    setTitle(t('explain.title'));
    const code = (r.q.get('code') || '').trim();
    const vendor = r.q.get('vendor') || '';
    const model = r.q.get('model') || '';
    const codeIn = h('input', { id: 'explain-code', class: 'input', placeholder: t('explain.codePh'), value: code, autocomplete: 'off', spellcheck: 'false', required: true });
    const vendorIn = vendorSelect('explain-vendor', vendor);
    const modelIn = h('input', { id: 'explain-model', class: 'input', placeholder: t('explain.modelPh'), value: model, autocomplete: 'off', spellcheck: 'false' });
    const result = h('div', { id: 'explain-result' });
    const form = h('form', { class: 'form-row', novalidate: true },
      h('label', { class: 'field' }, h('span', null, t('explain.code')), codeIn),
      h('label', { class: 'field' }, h('span', null, t('explain.vendor')), vendorIn),
      h('label', { class: 'field' }, h('span', null, t('explain.model')), modelIn),
      h('div', { class: 'field field-btn' }, h('button', { id: 'explain-submit', class: 'btn btn-primary', type: 'submit' }, t('explain.submit'))));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const c = codeIn.value.trim();
      if (!c) { codeIn.focus(); result.replaceChildren(h('p', { class: 'error-box' }, t('ts.needCode'))); return; }
      const p = new URLSearchParams({ code: c });
      if (vendorIn.value) p.set('vendor', vendorIn.value);
      if (modelIn.value.trim()) p.set('model', modelIn.value.trim());
      navigate('#/explain?' + p.toString());
    });
    const node = h('div', { class: 'stack' }, card(null, h('div', null, h('p', { class: 'muted' }, t('explain.prompt')), form)), result);
    if (!code) {
      result.append(empty(t('explain.prompt')));
      ctx.after.push(() => codeIn.focus());
      return node;
    }
    let ex;
    try {
      ex = await api('/api/v1/explain/' + enc(code), { params: { vendor, model } });
    } catch (e) {
      if (e.status === 401) throw e;
      result.append(errorBox(e, () => render()));
      return node;
    }
    result.append(explainResult(ex, { code, vendor, model }));
    return node;
  }

  function explainResult(ex, q) {
    const meanings = ex.meanings || [];
    const rcs = ex.response_codes || [];
    const causes = ex.causes || [];
    const steps = ex.first_response || [];
    const checks = ex.checks || [];
    const tsBtn = h('button', { class: 'btn btn-primary', type: 'button' }, t('explain.start'));
    const body = { code: q.code };
    if (q.vendor) body.vendor = q.vendor;
    if (q.model) body.model = q.model;
    tsBtn.addEventListener('click', () => startSession(body, tsBtn, q));

    const meaningsBody = meanings.length ? h('ul', { class: 'meanings' }, meanings.map((m) => h('li', null,
      h('div', { class: 'meaning-top' },
        h('span', { class: 'meaning-w' }, fmtPct(m.weight)),
        h('span', { class: 'meaning-text' }, m.text || '—')),
      h('div', { class: 'meaning-meta' },
        m.stage ? badge(tv('stage', m.stage), 'muted') : null,
        m.documented === true ? badge(t('explain.documented'), 'ok') : m.documented === false ? badge(t('explain.assumed'), 'warn') : null,
        m.source ? h('details', { class: 'source' }, h('summary', null, t('explain.source')), h('p', null, m.source)) : null))))
      : empty(t('empty.meanings'));

    const rcBody = rcs.length ? h('div', { class: 'rc-list' }, rcs.map((rc) => h('div', { class: 'rc' },
      h('div', { class: 'rc-top' }, badge(tv('dialect', rc.dialect), 'muted'), ' ',
        badge(rc.approved ? t('explain.approved') : t('explain.declined'), rc.approved ? 'ok' : 'bad'), ' ',
        h('strong', null, rc.meaning || '—')),
      kvGrid([[t('explain.cashierSay'), rc.cashier_say], [t('explain.cashierDo'), rc.cashier_do]]))))
      : empty(t('empty.responseCodes'));

    const causesBody = causes.length ? h('div', { class: 'bars' }, causes.map((c) => probBar(c.title || c.cause, c.p, c.title ? c.cause : null)))
      : empty(t('empty.causes'));
    const stepsBody = steps.length ? h('ol', { class: 'steps' }, steps.map((s) => h('li', null, s))) : empty('—');
    const checksBody = checks.length ? h('ol', { class: 'checks' }, checks.map((c) => h('li', null,
      h('div', null, c.question || c.check),
      h('div', { class: 'check-meta' }, badge(tv('who', c.who), 'who-' + (c.who || 'x')), ' ', t('diag.minutes', { n: fmtNum(c.cost_min, 1) })))))
      : empty(t('empty.checks'));

    const tag = [mono(ex.code || q.code)];
    if (ex.vendor) tag.push(' · ', ex.vendor);
    if (q.model) tag.push(' · ', q.model);
    if (ex.model_specific === true) tag.push(' ', badge(t('explain.modelSpecific'), 'muted'));

    return h('div', { class: 'stack' },
      h('div', { class: 'explain-head' }, h('div', { class: 'explain-tag' }, tag), tsBtn),
      h('div', { class: 'grid-2' },
        card(t('explain.meanings'), meaningsBody),
        card(t('explain.responseCodes'), rcBody)),
      h('div', { class: 'grid-2' },
        card(t('explain.causes'), causesBody),
        card(t('explain.firstResponse'), stepsBody)),
      card(t('explain.checks'), checksBody));
  }

  // ---------------------------------------------------------------- pages: troubleshoot
  // The session lives on the server; the page keeps the last answer it got
  // (and the questions answered) so a reload mid-session keeps the step.
  function loadTs() {
    try { return JSON.parse(sessionStorage.getItem(KEY_TS) || 'null'); } catch (_) { return null; }
  }
  function saveTs() {
    try {
      if (S.ts) sessionStorage.setItem(KEY_TS, JSON.stringify(S.ts)); else sessionStorage.removeItem(KEY_TS);
    } catch (_) { /* ignore */ }
  }

  async function startSession(body, btn, from) {
    if (btn) btn.disabled = true;
    try {
      const res = await api('/api/v1/troubleshoot', { method: 'POST', body });
      S.ts = { ...res, from, history: [], lang: S.lang };
      saveTs();
      navigate('#/troubleshoot');
    } catch (e) {
      if (e.status === 401) return;
      const msg = e.status === 403 ? t('common.forbidden') : e.message;
      toast(t('common.error', { msg }));
      if (btn && btn.parentNode) btn.parentNode.append(h('p', { class: 'error-box', role: 'alert' }, t('common.error', { msg })));
    } finally {
      if (btn) btn.disabled = false;
    }
  }

  async function answer(result, ui) {
    const st = S.ts;
    if (!st || !st.step || !st.step.ask) return;
    const ask = st.step.ask;
    for (const b of ui.buttons) b.disabled = true;
    ui.status.textContent = t('ts.sending');
    ui.status.classList.remove('text-bad');
    try {
      const res = await api('/api/v1/troubleshoot/' + enc(st.session_id) + '/answer', { method: 'POST', body: { check: ask.check, result } });
      st.history.push({ check: ask.check, question: ask.question, result });
      S.ts = { ...st, ...res, history: st.history };
      saveTs();
      render();
      window.scrollTo(0, 0);
    } catch (e) {
      if (e.status === 401) return;
      for (const b of ui.buttons) b.disabled = false;
      if (e.status === 404 || e.status === 410) {
        ui.status.textContent = t('ts.expired');
      } else {
        ui.status.textContent = e.status === 403 ? t('common.forbidden') : t('common.error', { msg: e.message });
      }
      ui.status.classList.add('text-bad');
    }
  }

  function pageTroubleshoot(r) {
    setTitle(t('ts.title'));
    if (S.ts && S.ts.session_id && S.ts.step) return tsSession(S.ts);
    return tsStartForm(r);
  }

  function tsStartForm(r) {
    const pre = r.q;
    let mode = pre.get('terminal_id') ? 'terminal' : 'code';
    const msg = h('p', { class: 'form-msg', role: 'alert' });

    const codeIn = h('input', { id: 'ts-code', class: 'input input-lg', placeholder: t('explain.codePh'), value: pre.get('code') || '', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters' });
    const vendorIn = vendorSelect('ts-vendor', pre.get('vendor') || '');
    vendorIn.classList.add('input-lg');
    const modelIn = h('input', { id: 'ts-model', class: 'input input-lg', placeholder: t('explain.modelPh'), value: pre.get('model') || '', autocomplete: 'off', spellcheck: 'false' });
    const termIn = h('input', { id: 'ts-terminal', class: 'input input-lg', placeholder: t('ts.terminalPh'), value: pre.get('terminal_id') || '', autocomplete: 'off', spellcheck: 'false', inputmode: 'numeric' });

    const codePane = h('div', { class: 'ts-pane' },
      h('label', { class: 'field' }, h('span', null, t('explain.code')), codeIn),
      h('label', { class: 'field' }, h('span', null, t('explain.vendor')), vendorIn),
      h('label', { class: 'field' }, h('span', null, t('explain.model')), modelIn));
    const termPane = h('div', { class: 'ts-pane' },
      h('label', { class: 'field' }, h('span', null, t('ts.terminalId')), termIn));
    const tabCode = h('button', { type: 'button', class: 'tab', id: 'ts-mode-code' }, t('ts.byCode'));
    const tabTerm = h('button', { type: 'button', class: 'tab', id: 'ts-mode-terminal' }, t('ts.byTerminal'));
    const setMode = (m) => {
      mode = m;
      codePane.hidden = m !== 'code';
      termPane.hidden = m !== 'terminal';
      tabCode.classList.toggle('is-active', m === 'code');
      tabTerm.classList.toggle('is-active', m === 'terminal');
      msg.textContent = '';
    };
    tabCode.addEventListener('click', () => setMode('code'));
    tabTerm.addEventListener('click', () => setMode('terminal'));
    setMode(mode);

    const startBtn = h('button', { id: 'ts-start', class: 'btn btn-primary btn-xl btn-block', type: 'submit' }, t('ts.start'));
    const form = h('form', { class: 'ts-form', novalidate: true },
      h('div', { class: 'tabs' }, tabCode, tabTerm), codePane, termPane, msg, startBtn);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      msg.textContent = '';
      if (mode === 'code') {
        const code = codeIn.value.trim();
        if (!code) { msg.textContent = t('ts.needCode'); codeIn.focus(); return; }
        const body = { code };
        if (vendorIn.value) body.vendor = vendorIn.value;
        if (modelIn.value.trim()) body.model = modelIn.value.trim();
        startSession(body, startBtn, { code, vendor: body.vendor || '', model: body.model || '' });
      } else {
        const tid = termIn.value.trim();
        if (!tid) { msg.textContent = t('ts.needTerminal'); termIn.focus(); return; }
        startSession({ terminal_id: tid }, startBtn, { terminal_id: tid });
      }
    });
    return h('div', { class: 'ts-wrap' }, h('section', { class: 'card' }, h('p', { class: 'muted' }, t('ts.intro')), form));
  }

  function tsFromLabel(from) {
    if (!from) return '';
    if (from.terminal_id) return t('terminal.title', { id: from.terminal_id });
    return [from.code, from.vendor, from.model].filter(Boolean).join(' · ');
  }

  function tsSession(st) {
    const restart = h('button', { class: 'btn', type: 'button', id: 'ts-restart' }, t('ts.restart'));
    restart.addEventListener('click', () => { S.ts = null; saveTs(); render(); });
    const head = h('div', { class: 'ts-head' },
      h('span', { class: 'muted' }, t('ts.startedFrom', { what: tsFromLabel(st.from) })),
      st.from && st.from.terminal_id ? h('a', { href: '#/terminals/' + enc(st.from.terminal_id) }, t('ts.openTerminal', { id: st.from.terminal_id })) : null);

    let main;
    if (st.step.ask) {
      const ask = st.step.ask;
      const status = h('p', { class: 'form-msg', role: 'status' });
      const num = h('input', { id: 'ts-number', class: 'input input-lg', type: 'number', inputmode: 'decimal', step: 'any', placeholder: t('ts.value') });
      const okB = h('button', { id: 'ts-ok', class: 'btn btn-xl btn-ok', type: 'button' }, t('ts.ok'));
      const failB = h('button', { id: 'ts-fail', class: 'btn btn-xl btn-fail', type: 'button' }, t('ts.fail'));
      const skipB = h('button', { id: 'ts-skip', class: 'btn btn-xl btn-skip', type: 'button' }, t('ts.skip'));
      const numB = h('button', { id: 'ts-number-submit', class: 'btn btn-lg' + (ask.takes_value === true ? ' btn-primary' : ''), type: 'submit' }, t('ts.sendValue'));
      const ui = { buttons: [okB, failB, skipB, numB], status };
      okB.addEventListener('click', () => answer('ok', ui));
      failB.addEventListener('click', () => answer('fail', ui));
      skipB.addEventListener('click', () => answer('skip', ui));
      // A measured value only where the check takes one (`takes_value`); when the
      // server does not say, the field is offered as optional.
      const takesValue = ask.takes_value === true;
      const offerValue = ask.takes_value !== false;
      const range = Array.isArray(ask.ok_range) && ask.ok_range.length === 2 ? ask.ok_range : null;
      if (takesValue) num.placeholder = t('ts.valueNeeded');
      const numForm = h('form', { class: 'ts-number' + (takesValue ? ' is-primary' : ''), novalidate: true },
        h('label', { class: 'field' }, h('span', null, t(takesValue ? 'ts.valueNeeded' : 'ts.value'), range ? h('span', { class: 'muted' }, ' · ' + t('ts.valueRange', { lo: range[0], hi: range[1] })) : null), num),
        numB);
      numForm.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const v = num.value.trim();
        if (v === '' || isNaN(Number(v))) { num.focus(); return; }
        answer(String(Number(v)), ui);
      });
      main = h('section', { class: 'card ts-ask', id: 'ts-question' },
        h('div', { class: 'ts-step' }, t('ts.step', { n: (st.answered !== undefined ? st.answered : (st.history || []).length) + 1 })),
        h('p', { class: 'ts-q' }, ask.question || ask.check),
        h('div', { class: 'check-meta' },
          badge(tv('who', ask.who), 'who-' + (ask.who || 'x')), ' ',
          ask.cost_min !== undefined ? t('diag.minutes', { n: fmtNum(ask.cost_min, 1) }) : null,
          ' ', mono(ask.check, 'check')),
        takesValue ? numForm : null,
        h('div', { class: 'ts-buttons' }, okB, failB, skipB),
        offerValue && !takesValue ? numForm : null,
        status);
    } else {
      const done = st.step.done || {};
      const confident = done.confident;
      main = h('section', { class: 'card ts-done', id: 'ts-done' },
        h('div', { class: 'ts-step' }, t('ts.done')),
        h('div', { class: 'ts-result' },
          h('span', { class: 'cause-title' }, done.title || done.cause || '—'),
          h('span', { class: 'cause-p' }, fmtPct(done.p))),
        done.cause ? h('div', { class: 'cause-id mono' }, done.cause) : null,
        confident === true ? h('p', { class: 'text-ok' }, t('ts.doneConfident')) : confident === false ? h('p', { class: 'text-warn' }, t('ts.doneUnsure')) : null,
        h('h3', null, t('ts.fix')),
        (done.fix || []).length ? h('ol', { class: 'steps steps-lg' }, done.fix.map((s) => h('li', null, s))) : empty('—'),
        (done.prevention || []).length ? [h('h3', null, t('ts.prevention')), h('ul', { class: 'steps' }, done.prevention.map((s) => h('li', null, s)))] : null,
        h('div', { class: 'ts-buttons' }, restart));
    }

    const leading = (st.leading || []).slice(0, 5);
    const leadCard = card(t('ts.leading'), leading.length
      ? h('div', { class: 'bars' }, leading.map((c) => probBar(c.title || c.cause, c.p, c.title ? c.cause : null)))
      : empty('—'), { id: 'ts-leading' });

    const hist = st.history || [];
    const histCard = hist.length ? card(t('ts.history'), h('ol', { class: 'ts-history' }, hist.map((x) => h('li', null,
      h('span', { class: 'ts-hq' }, x.question || x.check), ' ',
      badge(['ok', 'fail', 'skip'].includes(x.result) ? t('ts.answer.' + x.result) : String(x.result),
        x.result === 'ok' ? 'ok' : x.result === 'fail' ? 'bad' : 'muted'))))) : null;

    return h('div', { class: 'ts-wrap stack' }, head, main, leadCard, histCard,
      st.step.ask ? h('div', { class: 'ts-foot' }, restart) : null);
  }

  // ---------------------------------------------------------------- router
  function parseRoute() {
    let raw = location.hash.replace(/^#/, '');
    if (!raw.startsWith('/')) raw = '/' + raw;
    const i = raw.indexOf('?');
    const path = i < 0 ? raw : raw.slice(0, i);
    const q = new URLSearchParams(i < 0 ? '' : raw.slice(i + 1));
    const parts = path.split('/').filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch (_) { return p; } });
    const key = raw;
    if (parts.length === 0) return { name: 'overview', q, key };
    if (parts[0] === 'incidents' && parts.length === 1) return { name: 'incidents', q, key };
    if (parts[0] === 'incidents' && parts.length === 2) return { name: 'incident', id: parts[1], q, key };
    if (parts[0] === 'terminals' && parts.length === 1) return { name: 'terminals', q, key };
    if (parts[0] === 'terminals' && parts.length === 2) return { name: 'terminal', id: parts[1], q, key };
    if (parts[0] === 'explain' && parts.length === 1) return { name: 'explain', q, key };
    if (parts[0] === 'troubleshoot' && parts.length === 1) return { name: 'troubleshoot', q, key };
    return { name: 'notfound', q, key };
  }

  const PAGES = {
    overview: pageOverview,
    incidents: pageIncidents,
    incident: pageIncident,
    terminals: pageTerminals,
    terminal: pageTerminal,
    explain: pageExplain,
    troubleshoot: pageTroubleshoot,
    notfound: async (r) => {
      setTitle(t('page.notFound'));
      return card(null, h('div', null, h('p', null, t('page.notFoundText', { hash: '#' + r.key })), h('a', { href: '#/' }, t('common.backHome'))));
    },
  };
  const NAV_OF = { overview: 'overview', incidents: 'incidents', incident: 'incidents', terminals: 'terminals', terminal: 'terminals', explain: 'explain', troubleshoot: 'troubleshoot' };

  function navigate(hash) {
    if (location.hash === hash) render(); else location.hash = hash;
  }

  function setTitle(text) {
    $('#page-title').textContent = text;
    document.title = text + ' · posdoc';
  }
  function stampUpdated() {
    $('#page-meta').textContent = t('common.updated', { time: fmtTime(new Date().toISOString(), true) });
  }

  // Renders the route. `soft` (live refresh of the same page) keeps the old
  // content up until the new one is ready, so nothing flickers.
  async function render(opts) {
    const soft = !!(opts && opts.soft);
    if (!S.token) { if ($('#login').hidden) showLogin(); return; }
    showApp();
    const r = parseRoute();
    const same = S.route && S.route.key === r.key;
    if (!same) S.openDetails.clear();
    S.route = r;
    const gen = ++S.gen;
    const ctx = { gen, soft: soft && same, after: [] };
    const view = $('#view');
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('is-active', a.dataset.nav === NAV_OF[r.name]);
    if (!ctx.soft) {
      $('#page-meta').textContent = '';
      destroyCharts();
      view.replaceChildren(h('div', { class: 'loading' }, t('common.loading')));
    }
    let node;
    try {
      node = await PAGES[r.name](r, ctx);
    } catch (e) {
      if (gen !== S.gen || (e && e.status === 401)) return;
      if (ctx.soft) return; // keep what is shown; the next event retries
      destroyCharts();
      const what = r.id || '';
      view.replaceChildren(e && e.status === 404
        ? card(null, h('div', null, h('p', null, t('common.notFound', { what })), h('a', { href: '#/' }, t('common.backHome'))))
        : errorBox(e, () => render()));
      return;
    }
    if (gen !== S.gen) return;
    if (node) {
      destroyCharts();
      view.replaceChildren(node);
    }
    for (const f of ctx.after) f();
    if (r.name !== 'terminals') stampUpdated();
  }

  // ---------------------------------------------------------------- boot
  function boot() {
    takeTokenFromHash();
    applyLang();

    $('#lang-switch').addEventListener('click', switchLang);
    $('#logout').addEventListener('click', () => signOut('login.signedOut'));
    $('#login-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const tok = $('#login-token').value.trim();
      if (!tok) {
        S.loginMsg = 'login.empty';
        showLoginMessage();
        return;
      }
      S.loginMsg = '';
      saveToken(tok);
      seedIncidents();
      openStream();
      render();
    });
    window.addEventListener('hashchange', () => {
      if (/(^#|[?&])token=/.test(location.hash)) {
        takeTokenFromHash();
        applyLang();
        if (S.token) { seedIncidents(); openStream(); }
      }
      render();
    });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && S.dirty) { S.dirty = false; scheduleRefresh(); }
    });

    if (S.token) { seedIncidents(); openStream(); }
    render();
  }

  boot();
})();
