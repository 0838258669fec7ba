"""gen7 vendor error-code tables and log-line templates (invented by the test team).

Internal error *kinds* are mapped per vendor to the code the terminal displays.
Vendors reuse the same code (E1 above all) for very different things.
"""

STAGE = {
    'conn_fail': 'connect', 'no_net': 'connect', 'recv_timeout': 'receive', 'send_fail': 'send',
    'tls_expired': 'tls', 'tls_untrusted': 'tls', 'tls_proto': 'tls', 'tls_clock': 'tls',
    'mac_fail': 'mac', 'signon_fail': 'mac', 'key_missing': 'mac', 'msg_format': 'receive',
    'card_ic': 'card_read', 'card_mag': 'card_read', 'card_nfc': 'card_read', 'card_op': 'card_read',
    'pin_pad': 'pin', 'pin_timeout': 'pin', 'pin_cancel': 'pin',
    'paper_out': 'print', 'printer_fault': 'print', 'print_voltage': 'print',
    'batt_low': 'power_on', 'batt_shutdown': 'power_on', 'volt_low': 'power_on', 'power_lost_txn': 'power_on',
    'selftest': 'power_on', 'tamper': 'power_on', 'overheat': 'app', 'display': 'power_on',
    'app_crash': 'app', 'app_anr': 'app', 'storage_full': 'app', 'mem_low': 'app', 'cpu_busy': 'app',
    'param_host': 'connect', 'param_tid': 'app', 'op_wrong': 'app', 'host_reject': 'receive',
}

# vendor -> kind -> displayed code
CODES = {
    'pax': {
        'conn_fail': 'E1', 'no_net': 'E1', 'recv_timeout': 'E1', 'send_fail': 'E1', 'msg_format': 'E1',
        'tls_expired': 'E2', 'tls_untrusted': 'E2', 'tls_proto': 'E2', 'tls_clock': 'E2',
        'mac_fail': 'E3', 'signon_fail': 'E3', 'key_missing': 'E3',
        'card_ic': 'E4', 'card_mag': 'E4', 'card_nfc': 'E4', 'card_op': 'E4',
        'paper_out': 'E5', 'printer_fault': 'E5', 'print_voltage': 'E5',
        'pin_pad': 'E6', 'pin_timeout': 'E6', 'pin_cancel': 'E6',
        'batt_low': 'E7', 'batt_shutdown': 'E7', 'volt_low': 'E7', 'power_lost_txn': 'E7',
        'storage_full': 'E8', 'mem_low': 'E8', 'cpu_busy': 'E9', 'app_crash': 'E9', 'app_anr': 'E9',
        'param_host': 'E10', 'param_tid': 'E10', 'op_wrong': 'E10',
        'selftest': 'E0', 'tamper': 'E0', 'overheat': 'E0', 'display': 'E0', 'host_reject': 'E11',
    },
    'newland': {
        'selftest': 'E1', 'tamper': 'E1', 'storage_full': 'E1', 'mem_low': 'E1', 'batt_low': 'E1',
        'batt_shutdown': 'E1', 'volt_low': 'E1', 'power_lost_txn': 'E1', 'overheat': 'E1', 'display': 'E1',
        'conn_fail': 'E2', 'no_net': 'E2', 'param_host': 'E2', 'send_fail': 'E2',
        'recv_timeout': 'E3', 'msg_format': 'E3', 'host_reject': 'E3',
        'tls_expired': 'E4', 'tls_untrusted': 'E4', 'tls_proto': 'E4', 'tls_clock': 'E4',
        'mac_fail': 'E4', 'signon_fail': 'E4', 'key_missing': 'E4',
        'card_ic': 'E5', 'card_mag': 'E5', 'card_nfc': 'E5', 'card_op': 'E5',
        'paper_out': 'E6', 'printer_fault': 'E6', 'print_voltage': 'E6',
        'pin_pad': 'E7', 'pin_timeout': 'E7', 'pin_cancel': 'E7',
        'app_crash': 'E8', 'app_anr': 'E8', 'cpu_busy': 'E8', 'param_tid': 'E8', 'op_wrong': 'E8',
    },
    'landi': {
        'tls_expired': 'E1', 'tls_untrusted': 'E1', 'tls_proto': 'E1', 'tls_clock': 'E1',
        'mac_fail': 'E1', 'signon_fail': 'E1', 'key_missing': 'E1', 'tamper': 'E1',
        'conn_fail': 'E2', 'no_net': 'E2', 'recv_timeout': 'E2', 'send_fail': 'E2', 'msg_format': 'E2',
        'host_reject': 'E2', 'param_host': 'E6',
        'card_ic': 'E3', 'card_mag': 'E3', 'card_nfc': 'E3', 'card_op': 'E3',
        'paper_out': 'E4', 'printer_fault': 'E4', 'print_voltage': 'E4',
        'batt_low': 'E5', 'batt_shutdown': 'E5', 'volt_low': 'E5', 'power_lost_txn': 'E5', 'selftest': 'E5',
        'overheat': 'E5', 'storage_full': 'E5', 'mem_low': 'E5',
        'app_crash': 'E6', 'app_anr': 'E6', 'cpu_busy': 'E6', 'param_tid': 'E6', 'op_wrong': 'E6',
        'pin_pad': 'E7', 'pin_timeout': 'E7', 'pin_cancel': 'E7', 'display': 'E7',
    },
    'verifone': {
        'conn_fail': 'ERR-01', 'no_net': 'ERR-01', 'param_host': 'ERR-01', 'recv_timeout': 'ERR-02',
        'send_fail': 'ERR-02', 'msg_format': 'ERR-03', 'host_reject': 'ERR-03',
        'tls_expired': 'ERR-05', 'tls_untrusted': 'ERR-05', 'tls_proto': 'ERR-05', 'tls_clock': 'ERR-05',
        'mac_fail': 'ERR-07', 'signon_fail': 'ERR-07', 'key_missing': 'ERR-08',
        'card_ic': 'ERR-11', 'card_mag': 'ERR-11', 'card_nfc': 'ERR-11', 'card_op': 'ERR-11',
        'pin_pad': 'ERR-12', 'pin_timeout': 'ERR-12', 'pin_cancel': 'ERR-12',
        'paper_out': 'ERR-21', 'printer_fault': 'ERR-22', 'print_voltage': 'ERR-22',
        'batt_low': 'ERR-31', 'batt_shutdown': 'ERR-31', 'volt_low': 'ERR-32', 'power_lost_txn': 'ERR-32',
        'storage_full': 'ERR-41', 'mem_low': 'ERR-41', 'app_crash': 'ERR-51', 'app_anr': 'ERR-51',
        'cpu_busy': 'ERR-51', 'param_tid': 'ERR-61', 'op_wrong': 'ERR-61',
        'selftest': 'ERR-99', 'tamper': 'ERR-99', 'overheat': 'ERR-99', 'display': 'ERR-99',
    },
    'ingenico': {
        'card_ic': 'E1', 'card_mag': 'E1', 'card_nfc': 'E1', 'card_op': 'E1',
        'conn_fail': 'E2', 'no_net': 'E2', 'param_host': 'E2', 'recv_timeout': 'E3', 'send_fail': 'E3',
        'msg_format': 'E3', 'host_reject': 'E3',
        'tls_expired': 'E4', 'tls_untrusted': 'E4', 'tls_proto': 'E4', 'tls_clock': 'E4',
        'mac_fail': 'E5', 'signon_fail': 'E5', 'key_missing': 'E5',
        'paper_out': 'E6', 'printer_fault': 'E6', 'print_voltage': 'E6',
        'batt_low': 'E7', 'batt_shutdown': 'E7', 'volt_low': 'E7', 'power_lost_txn': 'E7',
        'storage_full': 'E8', 'mem_low': 'E8', 'selftest': 'E8', 'tamper': 'E8', 'overheat': 'E8',
        'app_crash': 'E8', 'app_anr': 'E8', 'cpu_busy': 'E8',
        'param_tid': 'E9', 'op_wrong': 'E9', 'pin_pad': 'E10', 'pin_timeout': 'E10', 'pin_cancel': 'E10',
        'display': 'E10',
    },
    'sunmi': {
        'conn_fail': 'E1', 'no_net': 'E1', 'recv_timeout': 'E1', 'send_fail': 'E1', 'msg_format': 'E1',
        'host_reject': 'E1', 'param_host': 'E1',
        'tls_expired': 'SEC-02', 'tls_untrusted': 'SEC-02', 'tls_proto': 'SEC-02', 'tls_clock': 'SEC-02',
        'mac_fail': 'SEC-03', 'signon_fail': 'SEC-03', 'key_missing': 'SEC-04', 'tamper': 'SEC-09',
        'card_ic': 'RD-01', 'card_mag': 'RD-02', 'card_nfc': 'RD-03', 'card_op': 'RD-01',
        'paper_out': 'PRN-01', 'printer_fault': 'PRN-02', 'print_voltage': 'PRN-02',
        'batt_low': 'PWR-01', 'batt_shutdown': 'PWR-01', 'volt_low': 'PWR-02', 'power_lost_txn': 'PWR-02',
        'storage_full': 'SYS-01', 'mem_low': 'SYS-02', 'app_crash': 'SYS-03', 'app_anr': 'SYS-03',
        'cpu_busy': 'SYS-04', 'selftest': 'SYS-09', 'overheat': 'SYS-05', 'display': 'SYS-06',
        'param_tid': 'CFG-01', 'op_wrong': 'CFG-02', 'pin_pad': 'KEY-01', 'pin_timeout': 'KEY-02',
        'pin_cancel': 'KEY-02',
    },
    'centerm': {
        'batt_low': 'E1', 'batt_shutdown': 'E1', 'volt_low': 'E1', 'power_lost_txn': 'E1', 'selftest': 'E1',
        'tamper': 'E1', 'overheat': 'E1', 'display': 'E1',
        'conn_fail': 'E2', 'no_net': 'E2', 'recv_timeout': 'E2', 'send_fail': 'E2', 'msg_format': 'E2',
        'host_reject': 'E2',
        'tls_expired': 'E3', 'tls_untrusted': 'E3', 'tls_proto': 'E3', 'tls_clock': 'E3',
        'mac_fail': 'E3', 'signon_fail': 'E3', 'key_missing': 'E3',
        'card_ic': 'E4', 'card_mag': 'E4', 'card_nfc': 'E4', 'card_op': 'E4', 'pin_pad': 'E4',
        'pin_timeout': 'E4', 'pin_cancel': 'E4',
        'paper_out': 'E5', 'printer_fault': 'E5', 'print_voltage': 'E5',
        'app_crash': 'E6', 'app_anr': 'E6', 'storage_full': 'E6', 'mem_low': 'E6', 'cpu_busy': 'E6',
        'param_host': 'E7', 'param_tid': 'E7', 'op_wrong': 'E7',
    },
}

# detail templates per kind: several variants, Chinese and English; {x} is filled by the caller
DETAIL = {
    'conn_fail': ['连接主机失败', 'connect() to host failed: timeout after {s}s', 'TCP连接超时', '网络连接失败,请检查网络',
                  'socket connect err=-110', '通讯失败'],
    'no_net': ['无网络连接', 'network unavailable', 'PPP拨号失败', 'SIM未注册网络', 'wlan0 disconnected', '通讯失败'],
    'recv_timeout': ['接收超时', 'recv timeout {s}s, stan={stan}', '等待主机应答超时', 'no response from host',
                     '交易超时,请查询', '通讯失败'],
    'send_fail': ['发送失败', 'send() err=-32 broken pipe', '数据发送失败'],
    'msg_format': ['报文长度错误', 'unpack 8583 failed: field 39 missing', '应答报文格式错', 'LRC check error',
                   'bitmap mismatch in response', '交易失败,请重试'],
    'tls_expired': ['SSL握手失败', 'TLS handshake failed: certificate has expired', '证书已过期',
                    'SSL_connect err: certificate verify failed', '安全连接失败'],
    'tls_untrusted': ['SSL握手失败', 'TLS alert: unknown ca', '证书校验失败', 'certificate verify failed (untrusted)'],
    'tls_proto': ['SSL握手失败', 'TLS alert: protocol_version', 'handshake failure: no shared cipher', '安全连接失败'],
    'tls_clock': ['SSL握手失败', 'certificate is not yet valid', 'certificate verify failed: bad time', '证书校验失败'],
    'mac_fail': ['MAC校验错', 'MAC verify failed', '应答MAC错,已冲正', 'response MAC mismatch, reversal queued'],
    'signon_fail': ['签到失败', 'sign-on failed: key check value mismatch', '工作密钥下载失败', '签到失败A0'],
    'key_missing': ['密钥丢失,请签到', 'TMK not found', 'PIN key missing', '请先签到'],
    'card_ic': ['读卡失败', 'IC卡上电失败', 'ICC power on error', 'chip read error, try swipe', '请重新插卡',
                'EMV APDU timeout'],
    'card_mag': ['刷卡失败', 'magstripe read error (track2 LRC)', '磁道数据错误', '请重新刷卡'],
    'card_nfc': ['非接读卡失败', 'contactless collision / no card', 'NFC antenna error', '请重新挥卡'],
    'card_op': ['请勿拔卡', 'card removed during transaction', 'IC卡插反', '读卡失败', '请重新插卡', '卡片已拔出'],
    'pin_pad': ['密码键盘无响应', 'PINPAD timeout', '按键异常', 'keypad scan error', '密码输入超时'],
    'pin_timeout': ['密码输入超时', 'PIN entry timeout', '用户超时'],
    'pin_cancel': ['用户取消', 'cancelled by user', '交易取消'],
    'paper_out': ['打印机缺纸', 'printer: paper out', '请装纸'],
    'printer_fault': ['打印机故障', 'printer head overheat', 'printer cutter jam', '打印失败', 'printer error 0x0{n}'],
    'print_voltage': ['打印电压不足', 'printer low voltage', '打印失败'],
    'batt_low': ['电量低,请充电', 'battery low {n}%', '电池电量不足'],
    'batt_shutdown': ['上次异常关机(电池)', 'unexpected shutdown: battery', '电池电压过低关机'],
    'volt_low': ['电源电压异常', 'supply voltage out of range', 'DC in {v}V', '供电不稳'],
    'power_lost_txn': ['上次交易未完成(掉电),已冲正', 'power loss during txn, reversal pending', '掉电恢复'],
    'selftest': ['自检失败', 'POST failed: SE no response', '终端状态错误', 'self test error: RTC', '安全芯片通讯失败'],
    'tamper': ['触发防拆,终端已锁定', 'TAMPER DETECTED', '安全模块异常', '终端状态错误'],
    'overheat': ['温度过高', 'thermal shutdown warning {n}C', '终端状态错误'],
    'display': ['显示屏驱动异常', 'LCD init failed', '屏幕无响应', 'display controller timeout'],
    'app_crash': ['应用异常退出', 'FATAL EXCEPTION: main java.lang.NullPointerException', 'app crash, restarting',
                  'SIGSEGV in libemv.so', '程序异常'],
    'app_anr': ['应用无响应', 'ANR in com.bank.pay', '程序无响应'],
    'storage_full': ['存储空间不足', 'journal write failed: no space left on device', '流水已满,请结算', 'ENOSPC'],
    'mem_low': ['内存不足', 'OutOfMemoryError', 'lowmemorykiller: kill com.bank.pay', '系统内存不足'],
    'cpu_busy': ['系统繁忙', 'processing timeout', '交易处理超时', 'watchdog: main loop stalled {n}s'],
    'param_host': ['连接主机失败', 'connect refused {ip}:{port}', '主机地址错误', 'no route to host {ip}'],
    'param_tid': ['终端参数错误', 'TID/MID not registered', '终端未登记', 'invalid terminal parameters'],
    'op_wrong': ['操作员号错误', 'invalid operator', '原交易不存在', '请先结算', '操作错误'],
    'host_reject': ['交易失败[{rc}]', 'host declined rc={rc}', '主机拒绝{rc}'],
}

# response codes (field 39) used in this world, with Chinese display text
RC_TEXT = {
    '00': '承兑或交易成功', '03': '无效商户', '05': '不予承兑', '12': '无效交易', '13': '无效金额',
    '14': '无效卡号', '22': '故障怀疑', '25': '找不到原始交易', '30': '报文格式错误', '34': '有作弊嫌疑',
    '40': '请求的功能尚不支持', '41': '挂失卡', '43': '被窃卡', '51': '余额不足', '54': '过期卡', '55': '密码错',
    '57': '不允许持卡人进行的交易', '58': '不允许终端进行的交易', '59': '有作弊嫌疑', '61': '超出金额限制',
    '62': '受限制的卡', '65': '超出取款次数限制', '75': '密码错误次数超限', '91': '发卡方状态不正常',
    '94': '重复交易', '96': '系统异常', '97': '终端未登记', '98': '发卡方超时', '99': 'PIN格式错', 'A0': 'MAC校验错',
}


def code_for(vendor, kind):
    return CODES[vendor][kind]


def detail_for(rng, kind, **kw):
    tpl = rng.choice(DETAIL[kind])
    kw.setdefault('s', 60)
    kw.setdefault('stan', '')
    kw.setdefault('n', rng.randint(1, 9))
    kw.setdefault('v', '')
    kw.setdefault('ip', '10.%d.%d.%d' % (rng.randint(1, 250), rng.randint(1, 250), rng.randint(2, 250)))
    kw.setdefault('port', rng.choice([5000, 8583, 9001, 7001]))
    kw.setdefault('rc', '96')
    try:
        return tpl.format(**kw)
    except (KeyError, IndexError):
        return tpl


def vendor_prefix(vendor, stage):
    """vendor-flavoured log prefix"""
    if vendor == 'pax':
        return '[%s] ' % stage.upper()
    if vendor == 'newland':
        return 'NL:'
    if vendor == 'verifone':
        return ''
    if vendor == 'ingenico':
        return 'TELIUM %s: ' % stage
    if vendor == 'sunmi':
        return 'PayService/%s: ' % stage
    if vendor == 'centerm':
        return '<CT>'
    return ''
