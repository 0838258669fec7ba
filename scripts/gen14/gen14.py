#!/usr/bin/env python3
"""gen14 - independent test-data generator for the posdoc record format v1.

World: a payment company's POS fleet in northern China (Beijing, Tianjin,
Shenyang, Harbin, Jinan, Taiyuan) during one winter business day.  Faults are
simulated as physics (voltages, RSSI, loss, memory, host behaviour) and the
records are what terminals, the TMS and the acquirer hosts would report.

Usage: python3 gen14.py --seed N --out DIR
Writes DIR/records.jsonl and DIR/truth.jsonl.  Standard library only;
deterministic by seed (random.Random seeded with strings only).
"""
import argparse
import datetime as dt
import heapq
import json
import math
import os
import random

GEN = "gen14"
UTC = dt.timezone.utc
CST = dt.timezone(dt.timedelta(hours=8))
H = 3600
MIN = 60


def ts_z(t):
    return dt.datetime.fromtimestamp(int(t), UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


def ts_l(t):
    return dt.datetime.fromtimestamp(int(t), CST).strftime('%Y-%m-%dT%H:%M:%S+08:00')


def clamp(x, a, b):
    return a if x < a else (b if x > b else x)


def wchoice(rng, items):
    """items: list of (value, weight); deterministic order."""
    tot = 0.0
    for _, w in items:
        tot += w
    r = rng.random() * tot
    for v, w in items:
        r -= w
        if r < 0:
            return v
    return items[-1][0]


def local_hour(t):
    d = dt.datetime.fromtimestamp(int(t), CST)
    return d.hour + d.minute / 60.0


# ---------------------------------------------------------------------------
# geography, carriers, hosts, issuers
# ---------------------------------------------------------------------------
CITIES = {
    'beijing':  dict(zh='北京', abbr='BJ', code='11', area='1000', temp=-4.0, lat=39.90, lon=116.40),
    'tianjin':  dict(zh='天津', abbr='TJ', code='12', area='1100', temp=-3.0, lat=39.13, lon=117.20),
    'shenyang': dict(zh='沈阳', abbr='SY', code='21', area='2210', temp=-13.0, lat=41.80, lon=123.43),
    'harbin':   dict(zh='哈尔滨', abbr='HB', code='23', area='2610', temp=-21.0, lat=45.75, lon=126.63),
    'jinan':    dict(zh='济南', abbr='JN', code='37', area='4510', temp=-1.0, lat=36.65, lon=117.00),
    'taiyuan':  dict(zh='太原', abbr='TY', code='14', area='1610', temp=-7.0, lat=37.87, lon=112.55),
}
CITY_ORDER = ['beijing', 'tianjin', 'shenyang', 'harbin', 'jinan', 'taiyuan']
CARRIERS = [('cmcc', 50), ('unicom', 38), ('telecom', 12)]

HOSTS = {
    'BJ01': dict(ip='10.18.2.11', port=5801, base_ms=420),
    'BJ02': dict(ip='10.18.6.40', port=7001, base_ms=560),
    'TJ01': dict(ip='10.22.1.9', port=5801, base_ms=480),
    'NE01': dict(ip='10.41.3.20', port=9001, base_ms=650),
    'SD01': dict(ip='10.53.0.17', port=6001, base_ms=510),
    'SX01': dict(ip='10.35.8.5', port=5801, base_ms=590),
}
CITY_HOSTS = {
    'beijing': [('BJ01', 6), ('BJ02', 4)],
    'tianjin': [('TJ01', 7), ('BJ02', 3)],
    'shenyang': [('NE01', 9), ('BJ01', 1)],
    'harbin': [('NE01', 9), ('BJ02', 1)],
    'jinan': [('SD01', 8), ('BJ01', 2)],
    'taiyuan': [('SX01', 8), ('BJ02', 2)],
}

# key, name, bins [(bin, card type, pan length)], national weight, home city
ISSUERS = [
    ('icbc', '工商银行', [('622202', 'debit', 19), ('621226', 'debit', 19), ('427020', 'credit', 16)], 18, None),
    ('abc', '农业银行', [('622848', 'debit', 19), ('622845', 'debit', 19), ('403361', 'credit', 16)], 15, None),
    ('ccb', '建设银行', [('621700', 'debit', 19), ('436742', 'credit', 16)], 15, None),
    ('boc', '中国银行', [('621661', 'debit', 19), ('456351', 'credit', 16)], 10, None),
    ('bocom', '交通银行', [('622260', 'debit', 19), ('405512', 'credit', 16)], 6, None),
    ('cmb', '招商银行', [('621483', 'debit', 16), ('622588', 'debit', 16), ('439225', 'credit', 16)], 8, None),
    ('psbc', '邮储银行', [('621799', 'debit', 19), ('622188', 'debit', 19)], 7, None),
    ('citic', '中信银行', [('622690', 'debit', 16), ('433670', 'credit', 16)], 4, None),
    ('bob', '北京银行', [('621468', 'debit', 19), ('622163', 'credit', 16)], 1.5, 'beijing'),
    ('tjb', '天津银行', [('621068', 'debit', 19)], 1, 'tianjin'),
    ('sjb', '盛京银行', [('621252', 'debit', 19)], 1, 'shenyang'),
    ('hrbb', '哈尔滨银行', [('622425', 'debit', 19), ('621433', 'debit', 19)], 1, 'harbin'),
    ('qlb', '齐鲁银行', [('621460', 'debit', 19)], 1, 'jinan'),
    ('jsb', '晋商银行', [('621491', 'debit', 19)], 1, 'taiyuan'),
]
ISSUER_BY_KEY = {i[0]: i for i in ISSUERS}

RC_ZH = {
    '00': '交易成功', '03': '无效商户', '05': '不予承兑', '12': '无效交易', '13': '无效金额',
    '14': '无效卡号', '25': '未能找到原始交易', '30': '格式错误', '33': '过期的卡', '34': '有作弊嫌疑',
    '40': '请求的功能尚不支持', '41': '挂失卡', '51': '余额不足', '54': '过期的卡', '55': '密码错',
    '57': '不允许持卡人进行的交易', '58': '不允许终端进行的交易', '59': '有作弊嫌疑', '61': '超出金额限制',
    '62': '受限制的卡', '65': '超出取款/消费次数限制', '75': '允许的输入PIN次数超限', '91': '发卡方状态不正常',
    '94': '重复交易', '96': '系统异常、失效', '97': '终端未登记', '98': '交换中心收不到发卡方应答',
    'A0': 'MAC校验错',
}
RC_EN = {
    '03': 'INVALID MERCHANT', '05': 'DO NOT HONOR', '12': 'INVALID TRANS', '13': 'INVALID AMOUNT',
    '14': 'INVALID CARD', '25': 'NO ORIGINAL', '30': 'FORMAT ERROR', '33': 'EXPIRED CARD', '34': 'SUSPECT FRAUD',
    '40': 'FUNC NOT SUPPORTED', '41': 'LOST CARD', '51': 'INSUFF FUNDS', '54': 'EXPIRED CARD', '55': 'INCORRECT PIN',
    '57': 'NOT PERMITTED', '58': 'NOT ALLOWED AT TERM', '59': 'SUSPECT FRAUD', '61': 'EXCEEDS LIMIT',
    '62': 'RESTRICTED CARD', '65': 'EXCEEDS FREQUENCY', '75': 'PIN TRIES EXCEEDED', '91': 'ISSUER UNAVAIL',
    '94': 'DUPLICATE', '96': 'SYSTEM MALFUNCTION', '97': 'TERM NOT REGISTERED', '98': 'ISSUER NO RESPONSE',
    'A0': 'MAC ERROR',
}

# ---------------------------------------------------------------------------
# terminal models and vendor behaviour
# ---------------------------------------------------------------------------
# form: handheld (battery), countertop (adapter), unattended (adapter, outdoor/self-service)
MODELS = {
    ('newland', 'N910'): dict(form='handheld', os='android', fw=['2.8.1', '2.8.3', '2.9.0'], app=['5.2.0', '5.2.3', '5.3.1'], boot=50),
    ('newland', 'ME31'): dict(form='handheld', os='rtos', fw=['1.6.2', '1.7.0'], app=['3.1.4', '3.2.0'], boot=25),
    ('newland', 'SP630'): dict(form='countertop', os='rtos', fw=['4.0.9', '4.1.2'], app=['3.1.4', '3.2.0'], boot=30, vnom=9.0),
    ('landi', 'A8'): dict(form='handheld', os='android', fw=['7.1.12', '7.1.15'], app=['2.6.8', '2.7.1'], boot=55),
    ('landi', 'E550'): dict(form='countertop', os='rtos', fw=['3.3.0', '3.3.4'], app=['1.9.6', '2.0.2'], boot=28, vnom=9.0),
    ('pax', 'A920'): dict(form='handheld', os='android', fw=['PayDroid_7.1.2_V02.3.11', 'PayDroid_7.1.2_V02.4.02'], app=['4.3.0', '4.3.2', '4.4.0'], boot=48),
    ('pax', 'A920Pro'): dict(form='handheld', os='android', fw=['PayDroid_8.1.0_V03.1.07'], app=['4.3.2', '4.4.0'], boot=45),
    ('pax', 'S90'): dict(form='countertop', os='rtos', fw=['Prolin_2.4.38', 'Prolin_2.5.12'], app=['6.0.3', '6.1.0'], boot=22, vnom=9.0),
    ('pax', 'IM30'): dict(form='unattended', os='android', fw=['PayDroid_7.1.2_V02.5.01'], app=['2.2.0', '2.2.4'], boot=60, vnom=12.0),
    ('centerm', 'K9'): dict(form='handheld', os='android', fw=['K9_V1.3.6', 'K9_V1.4.0'], app=['3.8.2', '3.9.0'], boot=52),
    ('centerm', 'C960'): dict(form='countertop', os='rtos', fw=['C960_2.1.5'], app=['3.8.2', '3.9.0'], boot=26, vnom=9.0),
    ('nexgo', 'N5'): dict(form='handheld', os='android', fw=['N5_V1.0.38', 'N5_V1.1.02'], app=['1.12.5', '1.13.0'], boot=47),
    ('nexgo', 'G2'): dict(form='handheld', os='rtos', fw=['G2_V2.2.7'], app=['5.6.1', '5.7.0'], boot=20),
    ('nexgo', 'K300'): dict(form='countertop', os='rtos', fw=['K300_V3.0.4'], app=['5.6.1', '5.7.0'], boot=24, vnom=9.0),
    ('sunmi', 'P2'): dict(form='handheld', os='android', fw=['SUNMI_OS_1.4.8', 'SUNMI_OS_1.5.1'], app=['3.4.0', '3.4.2'], boot=42),
    ('sunmi', 'P2Pro'): dict(form='handheld', os='android', fw=['SUNMI_OS_2.0.3'], app=['3.4.0', '3.4.2'], boot=40),
    ('sunmi', 'V2s'): dict(form='handheld', os='android', fw=['SUNMI_OS_1.5.1'], app=['3.4.0', '3.4.2'], boot=44),
    ('lakala', 'M0'): dict(form='handheld', os='rtos', fw=['LKL_M0_1.0.21'], app=['2.1.0'], boot=18),
    ('lakala', 'Q1'): dict(form='handheld', os='android', fw=['LKL_Q1_3.2.2'], app=['6.3.5', '6.4.0'], boot=40),
    ('castles', 'VEGA3000'): dict(form='countertop', os='rtos', fw=['CTOS_V1.0.57'], app=['2.3.11', '2.4.0'], boot=30, vnom=12.0),
    ('castles', 'UPT1000'): dict(form='unattended', os='rtos', fw=['CTOS_V1.1.09'], app=['1.5.3'], boot=35, vnom=12.0),
    ('spectra', 'T1000'): dict(form='countertop', os='rtos', fw=['T1K_5.12'], app=['8.02'], boot=30, vnom=9.0),
    ('spectra', 'SP530'): dict(form='unattended', os='rtos', fw=['SP5_2.40'], app=['8.02'], boot=34, vnom=12.0),
    ('verifone', 'VX520'): dict(form='countertop', os='rtos', fw=['QT5200V1_02'], app=['V7.2.1', 'V7.3.0'], boot=35, vnom=12.0),
    ('verifone', 'V200c'): dict(form='countertop', os='rtos', fw=['VOS2_30410400'], app=['V7.3.0'], boot=32, vnom=12.0),
    ('verifone', 'X990'): dict(form='handheld', os='android', fw=['X990_A10_1.2.0'], app=['V9.0.4'], boot=50),
    ('verifone', 'UX300'): dict(form='unattended', os='rtos', fw=['VOS2_UX_30.8'], app=['V7.3.0'], boot=40, vnom=12.0),
}

SYM_STAGE = {
    'conn': 'connect', 'nosignal': 'connect', 'recv_to': 'receive', 'send': 'send',
    'tls_expired': 'tls', 'tls_clock': 'tls', 'tls_proto': 'tls', 'mac': 'mac', 'nokey': 'mac',
    'card_ic': 'card_read', 'card_mag': 'card_read', 'card_nfc': 'card_read',
    'pin_dev': 'pin', 'pin_timeout': 'pin', 'paper': 'print', 'printer': 'print',
    'crash': 'app', 'db': 'app', 'oom': 'app', 'display': 'app',
    'lowbatt': 'power_on', 'volt': 'power_on', 'secmod': 'power_on',
    'pkt': 'receive', 'cancel': None, 'oper_pwd': None, 'decl': 'receive',
}


def _codes(**kw):
    return kw


VENDORS = {
    'newland': dict(hb=180, local=True, stage_p=0.95, detail_p=0.92, stan_p=0.8, echo_p=0.55, tms_off=True,
                    reboot=True, ver=True, timeout=60, style='nl',
                    codes=_codes(conn='E1', nosignal='E1', recv_to='E1', send='E2', tls='E8', mac='E3', nokey='E3',
                                 card='E4', pin='E6', paper='E5', printer='E5', crash='E9', db='E7', oom='E9',
                                 lowbatt='E10', volt='E11', display='E12', secmod='E13', pkt='E2', cancel='Q1',
                                 oper_pwd='E14')),
    'landi': dict(hb=300, local=True, stage_p=0.9, detail_p=0.9, stan_p=0.7, echo_p=0.6, tms_off=False,
                  reboot=False, ver=True, timeout=60, style='ld',
                  codes=_codes(conn='E2', nosignal='E2', recv_to='E3', send='E2', tls='E5', mac='E4', nokey='E1',
                               card='E6', pin='E9', paper='E7', printer='E8', crash='E10', db='E11', oom='E10',
                               lowbatt='E12', volt='E12', display='E13', secmod='E1', pkt='E14', cancel='E0',
                               oper_pwd='E15')),
    'pax': dict(hb=90, local=False, stage_p=1.0, detail_p=0.95, stan_p=0.9, echo_p=0.0, tms_off=True,
                reboot=True, ver=True, timeout=60, style='pax',
                codes=_codes(conn='-3', nosignal='-6', recv_to='-4', send='-2', tls='-7', mac='-10', nokey='-11',
                             card_ic='-21', card_mag='-22', card_nfc='-23', pin='-31', pin_timeout='-32',
                             paper='-41', printer='-42', crash='-99', db='-51', oom='-98', lowbatt='-61',
                             volt='-62', display='-71', secmod='-80', pkt='-5', cancel='-1', oper_pwd='-12')),
    'centerm': dict(hb=900, local=True, stage_p=0.85, detail_p=0.9, stan_p=0.6, echo_p=0.35, tms_off=False,
                    reboot=False, ver=False, timeout=45, style='ct',
                    codes=_codes(conn='01', nosignal='18', recv_to='02', send='03', tls='07', mac='06', nokey='06',
                                 card='04', pin='08', paper='05', printer='09', crash='10', db='11', oom='10',
                                 lowbatt='12', volt='13', display='14', secmod='15', pkt='16', cancel='99',
                                 oper_pwd='17')),
    'nexgo': dict(hb=180, local=False, stage_p=0.9, detail_p=0.9, stan_p=0.75, echo_p=0.0, tms_off=True,
                  reboot=True, ver=True, timeout=60, style='xgd',
                  codes=_codes(tls='E1', conn='E2', nosignal='E2', recv_to='E3', send='E2', mac='E4', nokey='E4',
                               card='E5', pin='E6', paper='E7', printer='E7', crash='E9', db='EA', oom='E9',
                               lowbatt='EB', volt='EB', display='EC', secmod='ED', pkt='E8', cancel='E0',
                               oper_pwd='EF')),
    'sunmi': dict(hb=60, local=False, stage_p=1.0, detail_p=0.97, stan_p=0.9, echo_p=0.0, tms_off=True,
                  reboot=True, ver=True, timeout=45, style='sm',
                  codes=_codes(conn='1001', nosignal='1000', recv_to='1002', send='1003', tls='2001', mac='3001',
                               nokey='3002', card_ic='4001', card_nfc='4002', card_mag='4003', pin='4101',
                               paper='5001', printer='5002', crash='9001', db='9003', oom='9002', lowbatt='6001',
                               volt='6002', display='7001', secmod='8001', pkt='1004', cancel='1', oper_pwd='9101')),
    'lakala': dict(hb=1800, local=True, stage_p=0.0, detail_p=0.25, stan_p=0.3, echo_p=0.3, tms_off=False,
                   reboot=False, ver=False, timeout=60, style='lkl',
                   codes=_codes(conn='E1', nosignal='E1', recv_to='E1', send='E1', tls='E1', pkt='E1', mac='E2',
                                nokey='E2', secmod='E2', card='E3', pin='E3', paper='E4', printer='E4', crash='E9',
                                db='E9', oom='E9', display='E9', lowbatt='E5', volt='E5', cancel='C', oper_pwd='E6')),
    'castles': dict(hb=600, local=False, stage_p=0.5, detail_p=0.85, stan_p=0.6, echo_p=0.0, tms_off=False,
                    reboot=False, ver=False, timeout=45, style='cas',
                    codes=_codes(conn='E01', nosignal='E06', recv_to='E02', send='E03', pkt='E04', tls='E05',
                                 mac='E31', nokey='E32', card='E11', pin='E12', paper='E21', printer='E22',
                                 crash='E41', db='E42', oom='E43', lowbatt='E51', volt='E51', display='E61',
                                 secmod='E71', cancel='E00', oper_pwd='E13')),
    'spectra': dict(hb=3600, local=False, stage_p=0.0, detail_p=0.4, stan_p=0.2, echo_p=0.0, tms_off=False,
                    reboot=False, ver=False, timeout=60, style='sp',
                    codes=_codes(conn='21', nosignal='21', recv_to='22', send='23', tls='24', pkt='25', mac='31',
                                 nokey='32', secmod='33', card='41', pin='42', paper='51', printer='52', crash='61',
                                 oom='61', db='62', display='63', lowbatt='71', volt='71', cancel='10', oper_pwd='11')),
    'verifone': dict(hb=900, local=False, stage_p=0.8, detail_p=0.9, stan_p=0.7, echo_p=0.0, tms_off=True,
                     reboot=True, ver=False, timeout=45, style='vf',
                     codes=_codes(conn='COMM ERR', nosignal='NO LINE', recv_to='NO ANSWER', send='COMM ERR',
                                  tls='SSL ERR', mac='MAC ERR', nokey='NO KEYS', card_ic='CHIP ERR',
                                  card_mag='MSR ERR', card_nfc='CTLS ERR', pin='PINPAD ERR', paper='PAPER OUT',
                                  printer='PRN ERR', crash='APP ERR', db='MEM FULL', oom='LOW MEM', lowbatt='LOW BATT',
                                  volt='POWER ERR', display='DISP ERR', secmod='TAMPER', pkt='FORMAT ERR',
                                  cancel='CANCEL', oper_pwd='BAD PWD')),
}


def vendor_code(vendor, sym):
    c = VENDORS[vendor]['codes']
    if sym in c:
        return c[sym]
    fam = sym.split('_')[0]
    if fam in c:
        return c[fam]
    return c.get('conn', 'ERR')


def telemetry_fields(vendor, form, os_):
    """The subset of telemetry fields a vendor/model reports."""
    if vendor == 'newland':
        f = ['online', 'latency_ms', 'temp_c', 'printer']
        f += ['rssi_dbm', 'battery_pct'] if form == 'handheld' else ['supply_v', 'packet_loss']
        if os_ == 'android':
            f += ['memory_used_pct', 'storage_used_pct']
        return f
    if vendor == 'landi':
        f = ['online', 'latency_ms', 'key_check', 'printer', 'card_reader_errors', 'keypad_errors']
        f += ['battery_pct'] if form == 'handheld' else ['supply_v']
        return f
    if vendor == 'pax':
        if os_ == 'android':
            f = ['online', 'latency_ms', 'packet_loss', 'memory_used_pct', 'storage_used_pct', 'cpu_pct',
                 'temp_c', 'app_crashes', 'printer', 'key_check', 'clock_skew_s']
            f += ['rssi_dbm', 'battery_pct'] if form == 'handheld' else ['supply_v', 'power_events']
            if form == 'unattended':
                f.append('battery_pct')
            return f
        return ['online', 'latency_ms', 'supply_v', 'power_events', 'key_check', 'printer']
    if vendor == 'centerm':
        return ['online', 'latency_ms', 'packet_loss', 'storage_used_pct', 'memory_used_pct']
    if vendor == 'nexgo':
        f = ['online', 'latency_ms', 'temp_c', 'printer']
        f += ['rssi_dbm', 'battery_pct'] if form == 'handheld' else ['supply_v']
        if os_ == 'android':
            f += ['memory_used_pct', 'app_crashes']
        return f
    if vendor == 'sunmi':
        return ['online', 'rssi_dbm', 'latency_ms', 'packet_loss', 'battery_pct', 'cpu_pct', 'memory_used_pct',
                'storage_used_pct', 'temp_c', 'app_crashes', 'clock_skew_s', 'printer']
    if vendor == 'lakala':
        return ['online', 'battery_pct'] if form == 'handheld' else ['online']
    if vendor == 'castles':
        f = ['online', 'latency_ms', 'supply_v', 'power_events', 'card_reader_errors', 'keypad_errors']
        return f + ['battery_pct'] if form == 'unattended' else f
    if vendor == 'spectra':
        return ['online']
    if vendor == 'verifone':
        f = ['online', 'latency_ms', 'packet_loss', 'printer', 'key_check']
        f += ['battery_pct', 'rssi_dbm', 'memory_used_pct'] if form == 'handheld' else ['supply_v', 'power_events']
        if form == 'unattended':
            f.append('battery_pct')
        return f
    return ['online']


# ---------------------------------------------------------------------------
# log-line styles (vendor language and format); the code is the vendor's own
# ---------------------------------------------------------------------------
ZH = {
    'conn': ['[COMM] 连接主机失败 {ip}:{port} ret=-2', 'TCP连接超时 {ip}:{port}', '连接失败,请检查网络'],
    'nosignal': ['[GPRS] 无线网络未注册 csq={csq}', '无线模块无信号', 'WIFI未连接'],
    'recv_to': ['[COMM] 接收应答超时 {s}s stan={stan}', '接收超时', '交易超时,请查询余额后重试'],
    'send': ['[COMM] 发送数据失败 ret=-5'],
    'tls_expired': ['[SSL] 握手失败 证书已过期 notAfter={na}', 'SSL握手失败 -0x2700 证书校验失败'],
    'tls_clock': ['[SSL] 证书尚未生效 本机时间={lt}', 'SSL握手失败 证书时间校验错'],
    'tls_proto': ['[SSL] 握手失败 协议版本不支持 alert=70', 'SSL握手失败 handshake failure(40)'],
    'mac': ['响应报文MAC校验错', 'MAC错 请重新签到'],
    'nokey': ['工作密钥不存在 请先签到', '签到失败 主密钥不存在'],
    'card_ic': ['IC卡上电失败 sw=6F00', '读IC卡失败 请重新插卡'],
    'card_mag': ['磁道数据读取错误 请重刷'],
    'card_nfc': ['非接卡片读取失败 请重挥卡'],
    'pin_dev': ['密码键盘通讯异常 ret=-3', '密码键盘按键异常'],
    'pin_timeout': ['输入密码超时'],
    'paper': ['打印机缺纸', '打印失败 缺纸'],
    'printer': ['打印机故障 温度过高', '打印机卡纸/切刀异常'],
    'crash': ['支付应用异常退出 sig=11', '应用无响应 已重启'],
    'db': ['交易流水写入失败 存储空间不足', '文件系统已满 写流水失败'],
    'oom': ['内存不足 应用被终止'],
    'lowbatt': ['电池电量低({b}%) 请充电后交易', '电量不足'],
    'volt': ['电源电压异常 {v}V', '电源适配器输出异常'],
    'display': ['LCD初始化失败', '显示驱动异常'],
    'secmod': ['安全模块异常 触发锁机 请联系维修', '安全芯片通讯失败'],
    'pkt': ['报文解包失败 域{fld}长度错', '响应报文校验错'],
    'cancel': ['用户取消', '交易已取消'],
    'oper_pwd': ['主管密码错', '操作员密码错误'],
    'decl': ['交易失败 {rc} {msg}', '{msg}({rc})'],
}
EN = {
    'conn': ['connect {ip}:{port} failed errno=111', 'socket connect timeout {ip}:{port}'],
    'nosignal': ['network unreachable, no service (csq={csq})', 'wifi disconnected, no route'],
    'recv_to': ['recv timeout after {s}s stan={stan}', 'no response from host ({s}s)'],
    'send': ['send failed ret=-32 (EPIPE)'],
    'tls_expired': ['SSL handshake failed: certificate has expired (notAfter={na})', 'X509 verify error 10: certificate has expired'],
    'tls_clock': ['SSL handshake failed: certificate is not yet valid (local time {lt})', 'X509 verify error 9: certificate not yet valid'],
    'tls_proto': ['SSL handshake failed: alert protocol_version (70)', 'SSL handshake failed: unsupported protocol'],
    'mac': ['response MAC verify failed', 'MAC check error on 0210'],
    'nokey': ['working key not found, please logon', 'TPK/TAK missing'],
    'card_ic': ['ICC power on failed sw=6F00', 'EMV: no ATR from card'],
    'card_mag': ['MSR track 2 read error'],
    'card_nfc': ['CTLS read failed / collision'],
    'pin_dev': ['PED error ret=-3{d}{d}', 'PINPAD key scan error'],
    'pin_timeout': ['PIN entry timeout'],
    'paper': ['printer: paper out', 'PRN status=0x02 no paper'],
    'printer': ['printer: overheat', 'printer: cutter jam'],
    'crash': ['FATAL EXCEPTION: main java.lang.NullPointerException', 'process died sig=11'],
    'db': ['SQLiteFullException: database or disk is full', 'write journal failed: ENOSPC'],
    'oom': ['java.lang.OutOfMemoryError: Failed to allocate', 'lowmemorykiller: killed payment app'],
    'lowbatt': ['battery low ({b}%), transaction refused'],
    'volt': ['supply voltage out of range {v}V'],
    'display': ['display init failed', 'LCD controller timeout'],
    'secmod': ['security processor tamper triggered', 'SP communication failed'],
    'pkt': ['unpack failed: field {fld} length mismatch', 'response checksum error'],
    'cancel': ['user cancelled', 'cancel key pressed'],
    'oper_pwd': ['supervisor password error'],
    'decl': ['host declined rc={rc} {msgen}', 'DECLINED {rc}'],
}
CT_KEY = {'conn': 'connect_fail', 'nosignal': 'no_network', 'recv_to': 'recv_timeout', 'send': 'send_fail',
          'tls_expired': 'ssl_cert_expired', 'tls_clock': 'ssl_cert_time', 'tls_proto': 'ssl_handshake',
          'mac': 'mac_err', 'nokey': 'key_missing', 'card_ic': 'icc_err', 'card_mag': 'msr_err',
          'card_nfc': 'picc_err', 'pin_dev': 'ped_err', 'pin_timeout': 'pin_timeout', 'paper': 'prn_no_paper',
          'printer': 'prn_fault', 'crash': 'app_exit', 'db': 'db_write', 'oom': 'no_mem', 'lowbatt': 'low_batt',
          'volt': 'pwr_abn', 'display': 'lcd_err', 'secmod': 'sec_lock', 'pkt': 'unpack_err', 'cancel': 'cancel',
          'oper_pwd': 'pwd_err', 'decl': 'host_decline'}
CT_MOD = {'connect': 'NET', 'receive': 'NET', 'send': 'NET', 'tls': 'SSL', 'mac': 'SEC', 'card_read': 'CARD',
          'pin': 'PED', 'print': 'PRN', 'app': 'APP', 'power_on': 'SYS', None: 'UI'}


def render_detail(rng, term, sym, t, ctx):
    """A raw log line in the vendor's own style, or None (no detail)."""
    vend = term['vendor']
    vp = VENDORS[vend]
    if rng.random() > vp['detail_p']:
        return None
    host = HOSTS[term['host']]
    args = dict(ip=host['ip'], port=host['port'], s=vp['timeout'], stan=ctx.get('stan') or '000000',
                na=ctx.get('na', ''), lt=ctx.get('lt', '2000-01-01 08:00'), csq=ctx.get('csq', 3),
                b=ctx.get('b', 9), v=ctx.get('v', 0), fld=rng.choice(['39', '55', '62', '60']),
                rc=ctx.get('rc', ''), msg=RC_ZH.get(ctx.get('rc', ''), ''), msgen=RC_EN.get(ctx.get('rc', ''), ''),
                d=rng.randint(0, 9))
    style = vp['style']
    zl, el = ZH[sym], EN[sym]
    if sym == 'nosignal':
        if term['network'] == 'wifi':
            zl, el = [zl[2]], [el[1]]
        else:
            zl, el = zl[:2], [el[0]]
    zh = rng.choice(zl).format(**args)
    en = rng.choice(el).format(**args)
    code = vendor_code(vend, sym) if sym != 'decl' else ctx.get('rc', '')
    lt = dt.datetime.fromtimestamp(int(t), CST)
    ms = rng.randint(0, 999)
    if style == 'nl':
        return '[NL-%s] %s' % (term['model'], zh) if rng.random() < 0.7 else zh
    if style == 'ld':
        if sym == 'decl':
            return '交易失败:%s(%s)' % (args['msg'], code)
        return '交易失败:%s(%s)' % (zh, code)
    if style == 'pax':
        if term['os'] == 'android':
            tag = rng.choice(['PaxPayService', 'TransProcess', 'EmvProcess', 'CommHelper'])
            return '%s.%03d  %d  %d E %s: %s' % (lt.strftime('%m-%d %H:%M:%S'), ms, term['pid'],
                                                 term['pid'] + rng.randint(3, 60), tag, en)
        return '[EPOS][E] %s' % en
    if style == 'ct':
        st = SYM_STAGE.get(sym)
        extra = ''
        if sym in ('conn', 'recv_to', 'send'):
            extra = ' dst=%s:%s cost=%dms' % (host['ip'], host['port'],
                                               rng.randint(8000, 20000) if sym == 'conn' else args['s'] * 1000 + rng.randint(0, 900))
        if sym == 'decl':
            extra = ' rc39=%s' % ctx.get('rc', '')
        return 'lvl=E mod=%s rc=%s msg=%s%s' % (CT_MOD.get(st, 'APP'), code, CT_KEY.get(sym, sym), extra)
    if style == 'xgd':
        return '[XGD][%s] %s' % (CT_MOD.get(SYM_STAGE.get(sym), 'APP').lower(), en)
    if style == 'sm':
        tag = rng.choice(['SunmiPayKernel', 'PayHardwareService', 'SunmiTransaction'])
        return 'E/%s(%5d): %s' % (tag, term['pid'], en)
    if style == 'lkl':
        return rng.choice([zh.split(' ')[0], '通讯异常' if SYM_STAGE.get(sym) in ('connect', 'receive', 'send', 'tls') else '交易失败'])
    if style == 'cas':
        return 'CTOS %s rc=-%d %s' % (CT_MOD.get(SYM_STAGE.get(sym), 'APP'), rng.randint(1, 40),
                                      CT_KEY.get(sym, sym).upper())
    if style == 'sp':
        return 'ERR%s' % code
    if style == 'vf':
        return '*** %s *** %s' % (code, en.upper())
    return en


# ---------------------------------------------------------------------------
# merchant segments
# ---------------------------------------------------------------------------
SEGMENTS = {
    'conv': dict(mcc='5499', amount=(2600, 0.7), rate=13.0, attended=True,
                 channels=[('qr', 55), ('nfc', 25), ('card_ic', 17), ('card_swipe', 3)]),
    'taxi': dict(mcc='4121', amount=(3400, 0.55), rate=2.6, attended=True,
                 channels=[('qr', 50), ('nfc', 30), ('card_ic', 17), ('card_swipe', 3)]),
    'canteen': dict(mcc='5814', amount=(1500, 0.4), rate=9.0, attended=True,
                    channels=[('qr', 45), ('nfc', 35), ('card_ic', 20)]),
    'parking': dict(mcc='7523', amount=(1000, 0.8), rate=5.5, attended=False,
                    channels=[('qr', 60), ('nfc', 30), ('card_ic', 10)]),
    'pharmacy': dict(mcc='5912', amount=(6800, 0.9), rate=6.0, attended=True,
                     channels=[('qr', 45), ('card_ic', 30), ('nfc', 20), ('card_swipe', 5)]),
    'hotpot': dict(mcc='5812', amount=(32000, 0.5), rate=6.0, attended=True,
                   channels=[('qr', 40), ('card_ic', 30), ('nfc', 25), ('card_swipe', 5)]),
    'wholesale': dict(mcc='5300', amount=(180000, 1.0), rate=6.5, attended=True,
                      channels=[('card_ic', 45), ('qr', 35), ('card_swipe', 10), ('nfc', 10)]),
    'hospital': dict(mcc='8062', amount=(16000, 1.1), rate=15.0, attended=True,
                     channels=[('card_ic', 40), ('qr', 40), ('nfc', 15), ('card_swipe', 5)]),
}


def seg_rate_mult(seg, h):
    """time-of-day multiplier (local hour h)."""
    if seg == 'canteen':
        if 11.0 <= h < 12.8:
            return 4.5
        if 16.8 <= h < 18.5:
            return 3.5
        return 0.45
    if seg == 'hotpot':
        if 11.3 <= h < 13.6:
            return 2.6
        if h >= 17.0:
            return 2.2
        return 0.35
    if seg == 'hospital':
        if h < 11.8:
            return 1.5
        if h < 13.5:
            return 0.5
        return 1.0
    if seg == 'wholesale':
        return 1.5 if h < 12.0 else 0.8
    if seg == 'conv':
        return 1.6 if 11.8 <= h < 13.2 else (1.3 if h >= 17 else 1.0)
    if seg == 'taxi':
        return 1.3 if (h < 10 or h > 17) else 1.0
    if seg == 'parking':
        return 1.4 if (11 <= h < 14) else 1.0
    return 1.0


CHAINS = [('北辰便利', ['beijing', 'tianjin']), ('冰城易购便利', ['harbin', 'shenyang']),
          ('泉城快客便利', ['jinan']), ('晋阳邻家便利', ['taiyuan'])]
TAXIS = [('京城通达出租', 'beijing', (17, 23)), ('龙江远程出租', 'harbin', (14, 19)),
         ('盛京金马出租', 'shenyang', (10, 15)), ('津门海河出租', 'tianjin', (6, 10))]
CAMPUS = [('北方理工大学餐饮中心', 'beijing'), ('冰城工程大学后勤', 'harbin'), ('泉城大学餐饮', 'jinan')]
PARKING = [('京通智慧停车', 'beijing'), ('龙城停车', 'taiyuan'), ('津门停车', 'tianjin')]
PHARMA = [('齐鲁仁和大药房', 'jinan'), ('津康大药房', 'tianjin'), ('龙城百姓大药房', 'taiyuan')]
HOTPOT = [('京味铜锅涮肉', 'beijing'), ('盛京老灶火锅', 'shenyang'), ('冰城羊汤火锅', 'harbin'),
          ('津门涮羊肉', 'tianjin'), ('晋味老火锅', 'taiyuan'), ('泉城牛油火锅', 'jinan')]
MARKETS = [('盛京北方批发城', 'shenyang'), ('泉城北园批发市场', 'jinan')]
HOSPITALS = [('京北医院', 'beijing'), ('津南中心医院', 'tianjin'), ('冰城医科附属医院', 'harbin')]

SEG_MODELS = {
    'conv_main': [(('pax', 'S90'), 3), (('verifone', 'V200c'), 2), (('landi', 'E550'), 2), (('centerm', 'C960'), 2),
                  (('newland', 'SP630'), 2), (('castles', 'VEGA3000'), 1)],
    'conv_extra': [(('sunmi', 'V2s'), 3), (('lakala', 'Q1'), 2), (('pax', 'A920'), 2)],
    'taxi': [(('nexgo', 'G2'), 3), (('newland', 'ME31'), 3), (('lakala', 'M0'), 3), (('pax', 'A920'), 2),
             (('sunmi', 'P2'), 2), (('newland', 'N910'), 1)],
    'canteen': [(('centerm', 'K9'), 3), (('newland', 'SP630'), 2), (('landi', 'E550'), 2), (('centerm', 'C960'), 2),
                (('landi', 'A8'), 1)],
    'parking': [(('castles', 'UPT1000'), 3), (('pax', 'IM30'), 2), (('verifone', 'UX300'), 2), (('spectra', 'SP530'), 2)],
    'pharmacy': [(('landi', 'E550'), 3), (('newland', 'SP630'), 2), (('lakala', 'Q1'), 2), (('spectra', 'T1000'), 1),
                 (('verifone', 'VX520'), 1)],
    'hotpot_hand': [(('sunmi', 'P2'), 3), (('pax', 'A920'), 2), (('nexgo', 'N5'), 2), (('sunmi', 'P2Pro'), 1),
                    (('verifone', 'X990'), 1), (('landi', 'A8'), 1)],
    'hotpot_desk': [(('pax', 'S90'), 2), (('landi', 'E550'), 1), (('nexgo', 'K300'), 1)],
    'wholesale': [(('lakala', 'Q1'), 3), (('newland', 'N910'), 3), (('nexgo', 'K300'), 2), (('lakala', 'M0'), 2),
                  (('sunmi', 'P2'), 1), (('nexgo', 'N5'), 1)],
    'hospital': [(('verifone', 'VX520'), 3), (('centerm', 'C960'), 2), (('castles', 'VEGA3000'), 2),
                 (('pax', 'S90'), 1), (('spectra', 'T1000'), 1)],
    'hospital_kiosk': [(('pax', 'IM30'), 2), (('spectra', 'SP530'), 1), (('castles', 'UPT1000'), 1)],
}


class World:
    def __init__(self, seed, rng, W0, W1):
        self.seed = seed
        self.rng = rng
        self.W0, self.W1 = W0, W1
        self.merchants = []
        self.sites = []
        self.terms = []
        self.by_tid = {}
        self.used_tids = {}
        self.mseq = 0

    # -- ids --------------------------------------------------------------
    def new_mid(self, city, mcc):
        self.mseq += 1
        return '898%s%s%04d' % (CITIES[city]['area'], mcc, self.rng.randint(1, 9999))[:15]

    def new_tid(self, city):
        while True:
            tid = CITIES[city]['code'] + '%06d' % self.rng.randint(0, 999999)
            if tid not in self.used_tids:
                self.used_tids[tid] = 1
                return tid

    def add_merchant(self, name, city, seg, hostpick=None):
        m = dict(merchant_id=self.new_mid(city, SEGMENTS[seg]['mcc']), name=name, city=city, seg=seg,
                 mcc=SEGMENTS[seg]['mcc'])
        while any(x['merchant_id'] == m['merchant_id'] for x in self.merchants):
            m['merchant_id'] = self.new_mid(city, SEGMENTS[seg]['mcc'])
        r = self.rng
        m['settlement'] = 'direct' if r.random() < 0.8 else 'indirect'
        if seg in ('hospital', 'canteen'):
            m['card_rate'] = 0.0038
        else:
            m['card_rate'] = r.choice([0.0055, 0.006, 0.006, 0.0058])
        m['qr_rate'] = 0.0038 if seg not in ('hospital', 'canteen') else 0.0025
        m['host'] = hostpick or wchoice(r, CITY_HOSTS[city])
        m['sites'] = []
        self.merchants.append(m)
        return m

    def add_site(self, m, name, city, n=None):
        i = len(m['sites']) + 1
        sid = '%s-%s-%02d' % (CITIES[city]['abbr'], m['merchant_id'][-4:], i)
        c = CITIES[city]
        s = dict(site_id=sid, merchant_id=m['merchant_id'], name=name, city=city,
                 lat=round(c['lat'] + self.rng.uniform(-0.12, 0.12), 4),
                 lon=round(c['lon'] + self.rng.uniform(-0.15, 0.15), 4), terms=[], seg=m['seg'])
        m['sites'].append(s)
        self.sites.append(s)
        return s

    def add_term(self, m, s, vm, network=None, unattended=False, mobile=False, outdoor=False):
        r = self.rng
        vendor, model = vm
        md = MODELS[vm]
        city = s['city']
        tid = self.new_tid(city)
        form = md['form']
        if network is None:
            if form == 'handheld':
                network = 'cellular' if r.random() < 0.6 else 'wifi'
            elif form == 'unattended':
                network = 'cellular' if r.random() < 0.5 else 'ethernet'
            else:
                network = 'ethernet' if r.random() < 0.85 else ('wifi' if r.random() < 0.5 else 'cellular')
        fw = r.choice(md['fw'])
        app = r.choice(md['app'])
        inst = self.W0 - r.randint(40, 1400) * 86400
        serial = {
            'newland': lambda: 'N%s%08d' % (model[:2].upper(), r.randint(0, 99999999)),
            'landi': lambda: '%s%09d' % (model[:2].upper(), r.randint(0, 999999999)),
            'pax': lambda: '%010d' % r.randint(1800000000, 1899999999),
            'centerm': lambda: 'CTM%010d' % r.randint(0, 9999999999),
            'nexgo': lambda: 'XGD%s%07d' % (model, r.randint(0, 9999999)),
            'sunmi': lambda: '%s%012X' % (model[:2], r.randint(0, 16 ** 12 - 1)),
            'lakala': lambda: 'LKL%011d' % r.randint(0, 99999999999),
            'castles': lambda: 'CS%010d' % r.randint(0, 9999999999),
            'spectra': lambda: 'SP%08d' % r.randint(0, 99999999),
            'verifone': lambda: '%03d-%03d-%03d' % (r.randint(100, 999), r.randint(0, 999), r.randint(0, 999)),
        }[vendor]()
        t = dict(tid=tid, serial=serial, vendor=vendor, model=model, form=form, os=md['os'], fw=fw, app=app,
                 merchant=m['merchant_id'], mname=m['name'], site=s['site_id'], city=city, seg=m['seg'],
                 network=network, carrier=wchoice(r, CARRIERS) if network == 'cellular' else None,
                 host=m['host'], installed=inst, mcc=m['mcc'],
                 cert_not_after=self.W0 + r.randint(60, 900) * 86400 + r.randint(0, 86399),
                 attended=(not unattended) and form != 'unattended', mobile=mobile,
                 outdoor=outdoor or form == 'unattended' or mobile,
                 vnom=md.get('vnom'), boot=md['boot'], pid=r.randint(1200, 9800))
        # network baseline
        if network == 'ethernet':
            t['base_lat'] = r.randint(18, 60)
        elif network == 'wifi':
            t['base_lat'] = r.randint(25, 90)
            t['rssi_base'] = r.randint(-66, -44)
        else:
            t['base_lat'] = r.randint(70, 220) if md['os'] == 'android' else r.randint(140, 480)
            t['rssi_base'] = r.randint(-92, -62)
        t['base_loss'] = round(r.uniform(0, 0.006), 4)
        # resources
        if md['os'] == 'android':
            t['mem0'] = r.uniform(38, 64)
            t['cpu0'] = r.uniform(6, 24)
        else:
            t['mem0'] = r.uniform(18, 42)
            t['cpu0'] = r.uniform(3, 15)
        t['sto0'] = r.uniform(18, 78)
        # battery
        t['has_batt'] = form == 'handheld'
        if t['has_batt']:
            t['batt0'] = r.uniform(62, 100)
            cold = 1.0
            if t['outdoor']:
                cold = 1.0 + clamp(-CITIES[city]['temp'], 0, 30) / 25.0
            t['drain_h'] = r.uniform(4.5, 8.0) * cold
            t['charge_p'] = 0.55 if mobile else 0.4
        t['pin_rate'] = 0.03
        # outdoor pay-stations carry a small backup (UPS) battery
        t['ups'] = form == 'unattended' and m['seg'] == 'parking'
        if t['ups']:
            t['ups0'] = r.uniform(88, 100) - clamp(-CITIES[city]['temp'], 0, 30) * 0.4
        s['terms'].append(tid)
        self.terms.append(t)
        self.by_tid[tid] = t
        return t

    def build(self):
        r = self.rng
        pick = lambda key: wchoice(r, SEG_MODELS[key])
        # convenience chains
        for name, cities in CHAINS:
            for city in cities:
                m = self.add_merchant(name, city, 'conv', hostpick=wchoice(r, CITY_HOSTS[city]))
                for i in range(r.randint(8, 13)):
                    s = self.add_site(m, '%s %s%d号店' % (name, CITIES[city]['zh'], 100 + i * 3 + r.randint(0, 2)), city)
                    self.add_term(m, s, pick('conv_main'))
                    if r.random() < 0.35:
                        self.add_term(m, s, pick('conv_extra'))
        # taxi fleets
        for name, city, (a, b) in TAXIS:
            m = self.add_merchant(name, city, 'taxi')
            s = self.add_site(m, '%s 车队' % name, city)
            for i in range(r.randint(a, b)):
                self.add_term(m, s, pick('taxi'), network='cellular', mobile=True)
        # campus canteens
        for name, city in r.sample(CAMPUS, 2):
            m = self.add_merchant(name, city, 'canteen')
            for i in range(r.randint(3, 4)):
                s = self.add_site(m, '%s 第%s食堂' % (name, '一二三四五'[i]), city)
                for j in range(r.randint(3, 5)):
                    vm = pick('canteen')
                    self.add_term(m, s, vm, network='wifi' if MODELS[vm]['form'] == 'handheld' else 'ethernet')
        # parking / unattended kiosks
        for name, city in r.sample(PARKING, 2):
            m = self.add_merchant(name, city, 'parking')
            for i in range(r.randint(7, 10)):
                s = self.add_site(m, '%s %s停车场%d' % (name, CITIES[city]['zh'], i + 1), city)
                for j in range(1 if r.random() < 0.6 else 2):
                    self.add_term(m, s, pick('parking'), unattended=True, outdoor=True)
        # pharmacies
        for name, city in PHARMA:
            m = self.add_merchant(name, city, 'pharmacy')
            for i in range(r.randint(5, 8)):
                s = self.add_site(m, '%s %d店' % (name, i + 1), city)
                vm = pick('pharmacy')
                self.add_term(m, s, vm, network='wifi' if MODELS[vm]['form'] == 'handheld' else None)
        # hot-pot restaurants with Wi-Fi handhelds
        for name, city in r.sample(HOTPOT, 5):
            m = self.add_merchant(name, city, 'hotpot')
            for i in range(1 if r.random() < 0.7 else 2):
                s = self.add_site(m, '%s%s' % (name, ['总店', '分店'][i]), city)
                self.add_term(m, s, pick('hotpot_desk'), network='ethernet')
                for j in range(r.randint(3, 5)):
                    self.add_term(m, s, pick('hotpot_hand'), network='wifi')
        # wholesale markets
        for name, city in MARKETS:
            m = self.add_merchant(name, city, 'wholesale')
            for i in range(r.randint(2, 3)):
                s = self.add_site(m, '%s %s区' % (name, 'ABCD'[i]), city)
                for j in range(r.randint(4, 7)):
                    vm = pick('wholesale')
                    net = None
                    if MODELS[vm]['form'] == 'handheld':
                        net = 'cellular' if r.random() < 0.7 else 'wifi'
                    else:
                        net = 'ethernet'
                    self.add_term(m, s, vm, network=net)
        # hospitals
        for name, city in HOSPITALS:
            m = self.add_merchant(name, city, 'hospital')
            for i, part in enumerate(['门诊收费处', '住院结算处']):
                s = self.add_site(m, '%s %s' % (name, part), city)
                for j in range(r.randint(3, 5)):
                    self.add_term(m, s, pick('hospital'), network='ethernet')
                for j in range(r.randint(1, 2)):
                    self.add_term(m, s, pick('hospital_kiosk'), network='ethernet', unattended=True)
        self.mer_by_id = {m['merchant_id']: m for m in self.merchants}
        self.site_by_id = {s['site_id']: s for s in self.sites}


# ---------------------------------------------------------------------------
# faults
# ---------------------------------------------------------------------------
CAUSES = [
    'hardware.keypad', 'hardware.display', 'hardware.card_reader', 'hardware.printer', 'hardware.board',
    'power.supply', 'power.battery', 'network.signal', 'network.lan', 'network.carrier', 'software.bug',
    'software.incompatible', 'software.config', 'transmission.corruption', 'security.keys',
    'security.certificate', 'resource.storage', 'resource.memory', 'resource.cpu', 'operator.error',
    'business.txn_type', 'business.limit', 'business.risk', 'business.merchant', 'upstream.acquirer',
    'upstream.issuer', 'card.decline',
]


class Fault:
    def __init__(self, fid, cause, variant, scope, params=None):
        self.fid = fid
        self.cause = cause
        self.variant = variant
        self.scope = scope
        self.params = params or {}
        self.eps = {}          # tid -> [(a, b, s0, s1)]
        self.g_eps = []        # global episodes (issuer, background)
        self.hits = {}         # tid -> failed events
        self.codes = {}        # code -> count
        self.first_hit = None
        self.first_code = None
        self.start = None
        self.end = None

    def add(self, tid, a, b, s0=1.0, s1=None):
        if b <= a:
            return
        self.eps.setdefault(tid, []).append((a, b, s0, s0 if s1 is None else s1))

    def add_many(self, tid, eps):
        for e in eps:
            self.add(tid, *e)

    def level(self, tid, t):
        for a, b, s0, s1 in self.eps.get(tid, ()):
            if a <= t < b:
                return s0 + (s1 - s0) * (t - a) / (b - a)
        return 0.0

    def glevel(self, t):
        for a, b, s0, s1 in self.g_eps:
            if a <= t < b:
                return s0 + (s1 - s0) * (t - a) / (b - a)
        return 0.0

    def span(self):
        a, b = None, None
        for lst in list(self.eps.values()) + [self.g_eps]:
            for e in lst:
                a = e[0] if a is None or e[0] < a else a
                b = e[1] if b is None or e[1] > b else b
        return a, b

    def hit(self, tid, t, code):
        self.hits[tid] = self.hits.get(tid, 0) + 1
        self.codes[code] = self.codes.get(code, 0) + 1
        if self.first_hit is None or t < self.first_hit[0]:
            self.first_hit = (t, tid)
            self.first_code = code


def intermittent(rng, a, b, on=(4, 20), off=(5, 35), sev=(0.6, 1.0), start_on=True):
    eps = []
    t = a if start_on else a + rng.uniform(*off) * MIN
    while t < b:
        d = rng.uniform(*on) * MIN
        s = rng.uniform(*sev)
        eps.append((t, min(b, t + d), s, s))
        t += d + rng.uniform(*off) * MIN
    return eps


def bump_version(v, rng):
    parts = v.lstrip('V').split('.')
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        return v + '.1'
    if rng.random() < 0.5:
        nums[-1] += 1
    elif len(nums) >= 2:
        nums[-2] += 1
        nums[-1] = 0
    s = '.'.join(str(n) for n in nums)
    return ('V' + s) if v.startswith('V') else s


class Planner:
    def __init__(self, world, seed):
        self.w = world
        self.seed = seed
        self.rng = random.Random('%s|%d|faults' % (GEN, seed))
        self.W0, self.W1 = world.W0, world.W1
        self.faults = []
        self.busy = {}          # tid -> [cause]
        self.updates = {}       # tid -> [(t, field, value, fault or None, note)]
        self.n = 0

    def new(self, cause, variant, scope, params=None):
        self.n += 1
        f = Fault('F%02d-%03d' % (self.seed % 100, self.n), cause, variant, scope, params)
        self.faults.append(f)
        return f

    def mark(self, tid, cause):
        self.busy.setdefault(tid, []).append(cause)

    def free(self, t, cause):
        return cause not in self.busy.get(t['tid'], [])

    def pick_term(self, pred, cause, weight=None):
        cands = [t for t in self.w.terms if pred(t) and self.free(t, cause)]
        if not cands:
            return None
        if weight:
            return wchoice(self.rng, [(t, weight(t)) for t in cands])
        return self.rng.choice(cands)

    def when(self, lo, hi):
        return self.rng.uniform(lo, hi)

    # ------------------------------------------------------------------ power
    def power_site(self):
        r, w = self.rng, self.w
        cands = []
        for s in w.sites:
            ts = [w.by_tid[x] for x in s['terms']]
            if s['seg'] == 'taxi' or len(ts) < 2:
                continue
            if not any(t['vnom'] for t in ts):
                continue
            if not any(t['network'] in ('ethernet', 'wifi') for t in ts):
                continue
            if any('power.supply' in self.busy.get(t['tid'], []) for t in ts):
                continue
            n_aff = sum(1 for t in ts if t['vnom'] or t['network'] in ('ethernet', 'wifi'))
            cands.append((s, n_aff * n_aff))
        if not cands:
            return None
        s = wchoice(r, cands)
        st = self.when(self.W0 - 40 * MIN, self.W1 - 110 * MIN)
        en = st + r.uniform(50, 160) * MIN
        rate = r.uniform(5, 13) / H
        dips = []
        t = st + r.uniform(0.2, 3) * MIN
        while t < en:
            n = 1 if r.random() < 0.6 else r.randint(2, 4)   # clusters of flicker
            for k in range(n):
                dips.append((t + k * r.uniform(4, 40), r.uniform(70, 200), r.random() < 0.6))
            t += r.expovariate(rate)
        f = self.new('power.supply', 'site_unstable', {'site_id': s['site_id']},
                     dict(dips=dips, sag=r.uniform(0.05, 0.14)))
        for tid in s['terms']:
            t = w.by_tid[tid]
            if t['vnom'] or t['network'] in ('ethernet', 'wifi'):
                f.add(tid, st, en, r.uniform(0.6, 1.0))
                self.mark(tid, 'power.supply')
        f.start, f.end = st, en
        # confounder: weak signal on a handheld inside the same site
        hands = [w.by_tid[x] for x in s['terms'] if w.by_tid[x]['form'] == 'handheld']
        if hands and r.random() < 0.6:
            self.signal(term=r.choice(hands), around=(st, en))
        # confounder: the bad mains damaged a board (the article's case 1)
        adapt = [w.by_tid[x] for x in s['terms'] if w.by_tid[x]['vnom']]
        if adapt and r.random() < 0.35:
            d = r.choice(dips[:max(1, len(dips) // 2)])
            self.board(term=r.choice(adapt), start=d[0] + r.uniform(5, 60))
        return f

    def power_adapter(self):
        r = self.rng
        t = self.pick_term(lambda t: t['vnom'] is not None, 'power.supply')
        if not t:
            return None
        st = self.when(self.W0 - 3 * H, self.W1 - 2 * H)
        en = st + r.uniform(2, 9) * H
        f = self.new('power.supply', 'adapter', {'terminal_id': t['tid']}, dict(sag=r.uniform(0.78, 0.87)))
        f.add(t['tid'], st, en, 1.0)
        self.mark(t['tid'], 'power.supply')
        return f

    def battery(self, variant=None):
        r = self.rng
        variant = variant or wchoice(r, [('worn', 5), ('empty', 3), ('ups_cold', 2)])
        if variant == 'ups_cold':
            t = self.pick_term(lambda t: t.get('ups'), 'power.battery')
            if t:
                st = self.W0 - r.uniform(2, 30) * H
                en = self.W1 + r.uniform(2, 48) * H if r.random() < 0.7 else self.when(self.W0 + 2 * H, self.W1 - 20 * MIN)
                f = self.new('power.battery', 'ups_cold', {'terminal_id': t['tid']})
                f.add(t['tid'], st, en, 1.0)
                self.mark(t['tid'], 'power.battery')
                f.start, f.end = st, en
                return f
            variant = 'worn'

        def wt(t):
            x = 1.0
            if t['mobile'] or t['outdoor']:
                x += 2.0
            if t['city'] in ('harbin', 'shenyang'):
                x += 2.0
            return x
        t = self.pick_term(lambda t: t['has_batt'], 'power.battery', wt)
        if not t:
            return None
        if variant == 'worn':
            st = self.W0 - r.uniform(3, 40) * H
            en = self.W1 + r.uniform(2, 30) * H if r.random() < 0.7 else self.when(self.W0 + 2 * H, self.W1 - 20 * MIN)
            f = self.new('power.battery', 'worn', {'terminal_id': t['tid']},
                         dict(drain=r.uniform(2.6, 4.5), cutoff=r.uniform(22, 38)))
        else:
            st = self.when(self.W0 - 20 * MIN, self.W1 - 100 * MIN)
            en = st + r.uniform(45, 130) * MIN
            f = self.new('power.battery', 'empty', {'terminal_id': t['tid']}, dict(drain=1.8, start_pct=r.uniform(9, 17)))
        f.add(t['tid'], st, en, 1.0)
        self.mark(t['tid'], 'power.battery')
        return f

    # ---------------------------------------------------------------- network
    def signal(self, term=None, around=None):
        r = self.rng
        if term is None:
            def wt(t):
                return SEGMENTS[t['seg']]['rate'] * (1.5 if t['mobile'] else 1.0)
            term = self.pick_term(lambda t: t['network'] in ('cellular', 'wifi'), 'network.signal', wt)
            if not term:
                return None
        if term['network'] not in ('cellular', 'wifi'):
            return None
        if around:
            st = around[0] + r.uniform(-40, 20) * MIN
            en = around[1] + r.uniform(-20, 60) * MIN
        else:
            st = self.when(self.W0 - 60 * MIN, self.W1 - 90 * MIN)
            en = st + r.uniform(1.5, 5) * H
        var = 'cell_weak' if term['network'] == 'cellular' else 'wifi_weak'
        tgt = r.uniform(-117, -104) if var == 'cell_weak' else r.uniform(-93, -82)
        f = self.new('network.signal', var, {'terminal_id': term['tid']}, dict(target=tgt))
        if term['mobile'] or r.random() < 0.6:
            f.add_many(term['tid'], intermittent(r, st, en, on=(4, 25), off=(4, 30), sev=(0.55, 1.0)))
        else:
            f.add(term['tid'], st, en, r.uniform(0.4, 0.7), r.uniform(0.8, 1.0))   # gradual
        self.mark(term['tid'], 'network.signal')
        f.start, f.end = st, en
        return f

    def lan(self):
        r, w = self.rng, self.w
        cands = []
        for s in w.sites:
            ts = [w.by_tid[x] for x in s['terms'] if w.by_tid[x]['network'] in ('ethernet', 'wifi')]
            if s['seg'] == 'taxi' or not ts:
                continue
            if any('network.lan' in self.busy.get(t['tid'], []) for t in ts):
                continue
            cands.append((s, len(ts)))
        if not cands:
            return None
        s = wchoice(r, [(c[0], 1.0 + c[1]) for c in cands])
        ts = [w.by_tid[x] for x in s['terms'] if w.by_tid[x]['network'] in ('ethernet', 'wifi')]
        var = wchoice(r, [('router_hang', 5), ('degraded', 3.5), ('cable', 1.5)])
        st = self.when(self.W0 - 30 * MIN, self.W1 - 60 * MIN)
        en = st + r.uniform(20, 150) * MIN
        if var == 'cable':
            ts = [r.choice([t for t in ts if t['network'] == 'ethernet'] or ts)]
        f = self.new('network.lan', var, {'site_id': s['site_id']})
        if var == 'router_hang':
            eps = []
            t = st
            while t < en:
                d = r.uniform(2, 14) * MIN
                eps.append((t, min(en, t + d), 1.0, 1.0))
                t += d
                g = r.uniform(3, 25) * MIN
                eps.append((t, min(en, t + g), r.uniform(0.25, 0.6), r.uniform(0.2, 0.6)))
                t += g
        elif var == 'degraded':
            eps = [(st, en, r.uniform(0.2, 0.4), r.uniform(0.7, 0.93))]
        else:
            eps = intermittent(r, st, en, on=(1, 6), off=(2, 15), sev=(0.5, 1.0))
        for t in ts:
            f.add_many(t['tid'], eps)
            self.mark(t['tid'], 'network.lan')
        f.start, f.end = st, en
        return f

    def carrier(self):
        r, w = self.rng, self.w
        groups = {}
        for t in w.terms:
            if t['network'] == 'cellular':
                groups.setdefault((t['carrier'], t['city']), []).append(t)
        cands = [(k, len(v)) for k, v in groups.items() if len(v) >= 4]
        if not cands:
            return None
        key = wchoice(r, [(k, n) for k, n in cands])
        st = self.when(self.W0 + 0 * MIN, self.W1 - 60 * MIN)
        en = st + r.uniform(25, 100) * MIN
        f = self.new('network.carrier', 'outage', {'carrier': key[0], 'city': key[1]})
        for t in groups[key]:
            a = st + r.uniform(0, 8) * MIN
            b = en + r.uniform(-5, 12) * MIN
            if r.random() < 0.65:
                ramp = r.uniform(1, 6) * MIN
                f.add(t['tid'], a, a + ramp, 0.5, 0.9)
                f.add(t['tid'], a + ramp, b, 0.97, 1.0)
            else:
                f.add_many(t['tid'], intermittent(r, a, b, on=(3, 15), off=(2, 10), sev=(0.55, 0.99)))
            self.mark(t['tid'], 'network.carrier')
        f.start, f.end = f.span()
        return f

    # --------------------------------------------------------------- software
    def group(self, pred, minn):
        g = {}
        for t in self.w.terms:
            if pred(t):
                g.setdefault((t['vendor'], t['model']), []).append(t)
        return [(k, v) for k, v in sorted(g.items()) if len(v) >= minn]

    def bug(self):
        r = self.rng
        groups = self.group(lambda t: True, 6)
        if not groups:
            return None
        (v, m), ts = wchoice(r, [(x, len(x[1]) * (2 if MODELS[x[0]]['os'] == 'android' else 1)) for x in groups])
        old = max(MODELS[(v, m)]['app'], key=lambda s: [int(p) if p.isdigit() else 0 for p in s.lstrip('V').split('.')])
        new = bump_version(old, r)
        android = MODELS[(v, m)]['os'] == 'android'
        var = wchoice(r, [('crash_nfc', 3), ('field55', 3), ('print_crash', 2), ('leak', 3 if android else 0)])
        f = self.new('software.bug', var, {'vendor': v, 'model': m, 'app_version': new},
                     dict(new=new, leak=r.uniform(0.3, 0.7)))
        r0 = self.when(self.W0 - 90 * MIN, self.W0 + 100 * MIN)
        frac = r.uniform(0.55, 0.9)
        hotfix = self.when(self.W0 + 3 * H, self.W1 + 2 * H) if r.random() < 0.35 else None
        fixver = bump_version(new, r)
        for t in ts:
            if r.random() > frac:
                continue
            tu = r0 + r.uniform(0, 200) * MIN
            end = self.W1 + r.uniform(6, 48) * H
            self.updates.setdefault(t['tid'], []).append((tu, 'app_version', new, f, 'TMS推送 %s' % new))
            if hotfix and hotfix > tu + 20 * MIN:
                th = hotfix + r.uniform(0, 40) * MIN
                self.updates[t['tid']].append((th, 'app_version', fixver, None, 'hotfix %s' % fixver))
                end = th
            f.add(t['tid'], tu, end, 1.0)
            self.mark(t['tid'], 'software.bug')
        if not f.eps:
            self.faults.remove(f)
            return None
        f.start, f.end = f.span()
        return f

    def incompatible(self):
        r, w = self.rng, self.w
        opts = []
        for h in HOSTS:
            for (v, m), ts in self.group(lambda t, h=h: t['host'] == h, 3):
                opts.append((h, v, m, ts))
        if not opts:
            return None
        h, v, m, ts = r.choice(opts)
        var = 'tls' if r.random() < 0.5 else 'msg'
        md = MODELS[(v, m)]
        if var == 'tls':
            old = md['fw'][0]
            field = 'firmware'
        else:
            old = md['app'][0]
            field = 'app_version'
        k = max(3, int(len(ts) * r.uniform(0.5, 0.9)))
        sel = r.sample(ts, min(k, len(ts)))
        c = self.when(self.W0 + 20 * MIN, self.W1 - 120 * MIN)
        f = self.new('software.incompatible', var, {'host': h, field: old}, dict(field=field, old=old))
        for t in sel:
            t['fw' if field == 'firmware' else 'app'] = old
            end = self.W1 + r.uniform(4, 72) * H
            if r.random() < 0.5:
                tu = c + r.uniform(40, 300) * MIN
                newv = md['fw'][-1] if field == 'firmware' else md['app'][-1]
                if newv == old:
                    newv = bump_version(old, r)
                self.updates.setdefault(t['tid'], []).append((tu, field, newv, None, '升级 %s' % newv))
                end = tu
            f.add(t['tid'], c + r.uniform(0, 3) * MIN, end, 1.0)
            self.mark(t['tid'], 'software.incompatible')
        f.start, f.end = f.span()
        return f

    def config(self, variant=None):
        r, w = self.rng, self.w
        variant = variant or wchoice(r, [('host_ip', 4), ('tid', 3), ('keyidx', 2)])
        if variant == 'host_ip':
            opts = []
            for m in w.merchants:
                g = {}
                for s in m['sites']:
                    for tid in s['terms']:
                        t = w.by_tid[tid]
                        g.setdefault(t['vendor'], []).append(t)
                for v, ts in sorted(g.items()):
                    if len(ts) >= 2:
                        opts.append((m, v, ts))
            if not opts:
                return None
            m, v, ts = r.choice(opts)
            sel = ts if len(ts) <= 6 else r.sample(ts, r.randint(4, min(10, len(ts))))
            p = self.when(self.W0 - 30 * MIN, self.W1 - 90 * MIN)
            fix = p + r.uniform(30, 160) * MIN
            f = self.new('software.config', 'host_ip', {'merchant_id': m['merchant_id'], 'vendor': v},
                         dict(bad_ip='10.%d.%d.%d' % (r.randint(1, 250), r.randint(0, 250), r.randint(2, 250))))
            for t in sel:
                a = p + r.uniform(0, 12) * MIN
                f.add(t['tid'], a, fix + r.uniform(0, 10) * MIN, 1.0)
                self.mark(t['tid'], 'software.config')
                self.updates.setdefault(t['tid'], []).append((a, 'param', 'push', None, 'TMS参数下发'))
        else:
            t = self.pick_term(lambda t: True, 'software.config')
            if not t:
                return None
            st = self.when(self.W0 - 3 * H, self.W1 - 100 * MIN)
            en = st + r.uniform(1, 6) * H
            f = self.new('software.config', variant, {'terminal_id': t['tid']})
            f.add(t['tid'], st, en, 1.0)
            self.mark(t['tid'], 'software.config')
        f.start, f.end = f.span()
        return f

    # --------------------------------------------------------------- security
    def keys(self, variant=None):
        r = self.rng
        variant = variant or ('rotation' if r.random() < 0.65 else 'lost')
        if variant == 'rotation':
            opts = []
            for h in HOSTS:
                g = {}
                for t in self.w.terms:
                    if t['host'] == h:
                        g.setdefault(t['vendor'], []).append(t)
                for v, ts in sorted(g.items()):
                    if len(ts) >= 3:
                        opts.append((h, v, ts))
            if not opts:
                return None
            h, v, ts = r.choice(opts)
            k = self.when(self.W0 - 60 * MIN, self.W1 - 100 * MIN)
            f = self.new('security.keys', 'rotation', {'host': h, 'vendor': v})
            frac = r.uniform(0.6, 1.0)
            for t in ts:
                if r.random() > frac:
                    continue
                a = k + r.uniform(0, 15) * MIN
                f.add(t['tid'], a, a + r.uniform(15, 130) * MIN, 1.0)
                self.mark(t['tid'], 'security.keys')
            if not f.eps:
                self.faults.remove(f)
                return None
        else:
            t = self.pick_term(lambda t: True, 'security.keys')
            if not t:
                return None
            st = self.when(self.W0 - 2 * H, self.W1 - 90 * MIN)
            f = self.new('security.keys', 'lost', {'terminal_id': t['tid']})
            f.add(t['tid'], st, st + r.uniform(40, 220) * MIN, 1.0)
            self.mark(t['tid'], 'security.keys')
        f.start, f.end = f.span()
        return f

    def certificate(self, variant=None):
        r, w = self.rng, self.w
        variant = variant or ('expired_batch' if r.random() < 0.65 else 'clock')
        if variant == 'expired_batch':
            opts = []
            for m in w.merchants:
                g = {}
                for s in m['sites']:
                    for tid in s['terms']:
                        g.setdefault(w.by_tid[tid]['vendor'], []).append(w.by_tid[tid])
                for v, ts in sorted(g.items()):
                    if len(ts) >= 2:
                        opts.append((m, v, ts))
            m, v, ts = r.choice(opts)
            sel = ts if len(ts) <= 5 else r.sample(ts, r.randint(3, min(8, len(ts))))
            x = int(self.when(self.W0 - 150 * MIN, self.W1 - 80 * MIN))
            x = x - x % 60
            f = self.new('security.certificate', 'expired_batch',
                         {'merchant_id': m['merchant_id'], 'vendor': v, 'cert_not_after': ts_z(x)})
            for t in sel:
                t['cert_not_after'] = x
                f.add(t['tid'], x, x + r.uniform(40, 420) * MIN, 1.0)
                self.mark(t['tid'], 'security.certificate')
        else:
            def wt(t):
                return 3.0 if t['vendor'] in ('pax', 'sunmi') and t['os'] == 'android' else 1.0
            t = self.pick_term(lambda t: True, 'security.certificate', wt)
            st = self.when(self.W0 - 2 * H, self.W1 - 90 * MIN)
            f = self.new('security.certificate', 'clock', {'terminal_id': t['tid']},
                         dict(clock=r.choice([946684800, 1483228800, 1262304000])))
            f.add(t['tid'], st, st + r.uniform(40, 260) * MIN, 1.0)
            self.mark(t['tid'], 'security.certificate')
        f.start, f.end = f.span()
        return f

    def corruption(self):
        r = self.rng
        t = self.pick_term(lambda t: t['network'] in ('ethernet', 'wifi'), 'transmission.corruption')
        if not t:
            return None
        st = self.when(self.W0 - 60 * MIN, self.W1 - 90 * MIN)
        en = st + r.uniform(1, 5) * H
        var = 'cable' if t['network'] == 'ethernet' else 'interference'
        f = self.new('transmission.corruption', var, {'terminal_id': t['tid']}, dict(p=r.uniform(0.25, 0.5)))
        f.add_many(t['tid'], intermittent(r, st, en, on=(6, 35), off=(3, 25), sev=(0.5, 1.0)))
        self.mark(t['tid'], 'transmission.corruption')
        f.start, f.end = st, en
        return f

    # -------------------------------------------------------------- resources
    def storage(self):
        r = self.rng
        t = self.pick_term(lambda t: t['seg'] not in ('taxi',) or True, 'resource.storage',
                           lambda t: 2.0 if t['os'] == 'android' else 1.0)
        st = self.W0 - r.uniform(0.2, 6) * H
        en = self.when(self.W0 + 2 * H, self.W1 + 6 * H)
        f = self.new('resource.storage', 'full', {'terminal_id': t['tid']})
        f.add(t['tid'], st, st + r.uniform(1, 4) * H, 0.2, 1.0)
        f.add(t['tid'], f.eps[t['tid']][-1][1], en, 1.0)
        self.mark(t['tid'], 'resource.storage')
        f.start, f.end = st, en
        return f

    def memory(self):
        r = self.rng
        t = self.pick_term(lambda t: t['os'] == 'android', 'resource.memory')
        if not t:
            return None
        st = self.W0 - r.uniform(0.5, 8) * H
        en = self.W1 + r.uniform(1, 20) * H if r.random() < 0.7 else self.when(self.W0 + 2 * H, self.W1 - 30 * MIN)
        f = self.new('resource.memory', 'leak', {'terminal_id': t['tid']}, dict(leak=r.uniform(0.35, 0.9)))
        f.add(t['tid'], st, en, 1.0)
        self.mark(t['tid'], 'resource.memory')
        f.start, f.end = st, en
        return f

    def cpu(self):
        r = self.rng
        t = self.pick_term(lambda t: t['os'] == 'android', 'resource.cpu')
        if not t:
            return None
        st = self.when(self.W0 - 2 * H, self.W1 - 2 * H)
        en = st + r.uniform(1.5, 7) * H
        var = 'background_app' if r.random() < 0.6 else 'thermal'
        f = self.new('resource.cpu', var, {'terminal_id': t['tid']})
        if var == 'background_app':
            f.add_many(t['tid'], intermittent(r, st, en, on=(8, 40), off=(5, 30), sev=(0.6, 1.0)))
        else:
            f.add(t['tid'], st, en, 0.5, 1.0)
        self.mark(t['tid'], 'resource.cpu')
        f.start, f.end = st, en
        return f

    # --------------------------------------------------------------- hardware
    def hw(self, cause, variant, pred, wt=None, dur=(2, 9), before=True):
        r = self.rng
        t = self.pick_term(pred, cause, wt)
        if not t:
            return None
        st = self.W0 - r.uniform(0.5, 20) * H if (before and r.random() < 0.5) else self.when(self.W0 - 30 * MIN, self.W1 - 100 * MIN)
        en = st + r.uniform(*dur) * H
        if en < self.W0 + 40 * MIN:
            en = self.W0 + r.uniform(1, 5) * H       # broken since yesterday, repaired today
        f = self.new(cause, variant, {'terminal_id': t['tid']})
        self.mark(t['tid'], cause)
        return f, t, st, en

    def keypad(self):
        x = self.hw('hardware.keypad', 'stuck_keys', lambda t: t['attended'] and t['seg'] != 'taxi')
        if not x:
            return None
        f, t, st, en = x
        f.add(t['tid'], st, en, self.rng.uniform(0.5, 1.0))
        f.start, f.end = st, en
        return f

    def display(self):
        x = self.hw('hardware.display', 'garbled', lambda t: True)
        if not x:
            return None
        f, t, st, en = x
        f.add_many(t['tid'], intermittent(self.rng, st, en, on=(10, 60), off=(5, 30), sev=(0.5, 1.0)))
        f.start, f.end = st, en
        return f

    def card_reader(self):
        r = self.rng
        var = wchoice(r, [('ic', 5), ('nfc', 3), ('all', 2)])
        x = self.hw('hardware.card_reader', var, lambda t: True,
                    lambda t: 2.0 if t['outdoor'] else 1.0)
        if not x:
            return None
        f, t, st, en = x
        f.add(t['tid'], st, en, r.uniform(0.4, 0.7), r.uniform(0.7, 1.0))
        f.start, f.end = st, en
        return f

    def printer(self, variant=None):
        r = self.rng
        variant = variant or ('paper_out' if r.random() < 0.55 else 'fault')
        x = self.hw('hardware.printer', variant, lambda t: t['attended'] or t['form'] == 'unattended',
                    None, dur=(0.3, 1.2) if variant == 'paper_out' else (1.5, 9), before=(variant == 'fault'))
        if not x:
            return None
        f, t, st, en = x
        f.add(t['tid'], st, en, 1.0)
        f.start, f.end = st, en
        return f

    def board(self, term=None, start=None):
        r = self.rng
        if term is None:
            x = self.hw('hardware.board', 'damaged', lambda t: True)
            if not x:
                return None
            f, t, st, en = x
        else:
            if 'hardware.board' in self.busy.get(term['tid'], []):
                return None
            t, st = term, start
            en = self.W1 + r.uniform(2, 40) * H
            f = self.new('hardware.board', 'damaged', {'terminal_id': t['tid']})
            self.mark(t['tid'], 'hardware.board')
        f.add(t['tid'], st, en, r.uniform(0.5, 1.0))
        f.start, f.end = st, en
        return f

    # --------------------------------------------------------------- operator
    def operator(self):
        r = self.rng
        t = self.pick_term(lambda t: t['attended'] and t['seg'] != 'taxi', 'operator.error',
                           lambda t: 2.0 if t['seg'] in ('conv', 'pharmacy', 'hotpot', 'hospital') else 1.0)
        if not t:
            return None
        st = self.when(self.W0 - 30 * MIN, self.W1 - 100 * MIN)
        en = st + r.uniform(1.5, 3.5) * H
        f = self.new('operator.error', 'new_cashier', {'terminal_id': t['tid']}, dict(p=r.uniform(0.12, 0.24)))
        f.add(t['tid'], st, en, 1.0)
        self.mark(t['tid'], 'operator.error')
        f.start, f.end = st, en
        return f

    # --------------------------------------------------------------- business
    def merchant_terms(self, m):
        return [self.w.by_tid[x] for s in m['sites'] for x in s['terms']]

    def add_merchant_fault(self, f, m, st, en, cause):
        for t in self.merchant_terms(m):
            f.add(t['tid'], st, en, 1.0)
            self.mark(t['tid'], cause)
        f.start, f.end = st, en

    def frozen(self):
        r = self.rng
        ms = [m for m in self.w.merchants if 2 <= len(self.merchant_terms(m)) <= 10 and m['seg'] != 'hospital']
        m = wchoice(r, [(m, 3.0 if m['seg'] in ('wholesale', 'pharmacy', 'hotpot', 'taxi') else 1.0) for m in ms])
        st = self.when(self.W0 + 10 * MIN, self.W1 - 90 * MIN)
        en = st + r.uniform(40, 160) * MIN if r.random() < 0.4 else self.W1 + r.uniform(10, 60) * H
        f = self.new('business.merchant', 'frozen', {'merchant_id': m['merchant_id']})
        self.add_merchant_fault(f, m, st, en, 'business.merchant')
        return f

    def txn_type(self):
        r = self.rng
        var = wchoice(r, [('preauth', 3), ('credit', 3), ('refund', 2)])
        segs = {'preauth': ('hotpot', 'hospital'), 'credit': ('canteen', 'hospital', 'parking'),
                'refund': ('pharmacy', 'conv')}[var]
        ms = [m for m in self.w.merchants if m['seg'] in segs]
        m = r.choice(ms)
        st = self.when(self.W0 - 60 * MIN, self.W1 - 2 * H)
        en = st + r.uniform(1, 4) * H
        f = self.new('business.txn_type', var, {'merchant_id': m['merchant_id']})
        self.add_merchant_fault(f, m, st, en, 'business.txn_type')
        return f

    def limit(self):
        r = self.rng
        var = 'single' if r.random() < 0.6 else 'daily'
        if var == 'single':
            ms = [m for m in self.w.merchants if m['seg'] in ('wholesale', 'hospital', 'hotpot')]
            m = r.choice(ms)
            med = SEGMENTS[m['seg']]['amount'][0]
            lim = int(med * r.uniform(1.3, 2.5) / 10000) * 10000 or 10000
            f = self.new('business.limit', 'single', {'merchant_id': m['merchant_id']}, dict(limit=lim))
            st = self.when(self.W0 - 60 * MIN, self.W1 - 2 * H)
            en = st + r.uniform(2, 10) * H
        else:
            ms = [m for m in self.w.merchants if m['seg'] in ('wholesale', 'pharmacy', 'hotpot')]
            m = r.choice(ms)
            f = self.new('business.limit', 'daily', {'merchant_id': m['merchant_id']})
            st = self.when(self.W0 + 90 * MIN, self.W1 - 60 * MIN)
            en = self.W1 + r.uniform(6, 10) * H
        self.add_merchant_fault(f, m, st, en, 'business.limit')
        return f

    def risk(self):
        r = self.rng
        var = wchoice(r, [('cashout', 3), ('rule', 3), ('velocity', 2)])
        if var == 'cashout':
            t = self.pick_term(lambda t: t['seg'] in ('taxi', 'wholesale'), 'business.risk')
            st = self.when(self.W0 - 30 * MIN, self.W1 - 2 * H)
            en = st + r.uniform(1.5, 5) * H
            f = self.new('business.risk', 'cashout', {'terminal_id': t['tid']})
            f.add(t['tid'], st, en, 1.0)
            self.mark(t['tid'], 'business.risk')
            f.start, f.end = st, en
            return f
        ms = [m for m in self.w.merchants if m['seg'] in ('pharmacy', 'hotpot', 'wholesale', 'conv')]
        m = r.choice(ms)
        st = self.when(self.W0 - 30 * MIN, self.W1 - 2 * H)
        en = st + r.uniform(1.5, 6) * H
        med = SEGMENTS[m['seg']]['amount'][0]
        f = self.new('business.risk', var, {'merchant_id': m['merchant_id']},
                     dict(thr=int(med * r.uniform(1.5, 4.0) / 100) * 100))
        self.add_merchant_fault(f, m, st, en, 'business.risk')
        return f

    # --------------------------------------------------------------- upstream
    def acquirer(self):
        r, w = self.rng, self.w
        cnt = {}
        for t in w.terms:
            cnt[t['host']] = cnt.get(t['host'], 0) + 1
        used = [f.scope['host'] for f in self.faults if f.cause == 'upstream.acquirer']
        h = r.choice([k for k, v in sorted(cnt.items()) if v >= 15 and k not in used])
        st = self.when(self.W0 + 20 * MIN, self.W1 - 60 * MIN)
        var = 'down' if r.random() < 0.55 else 'overload'
        dur = (r.uniform(5, 18) if var == 'down' else r.uniform(8, 25)) * MIN
        f = self.new('upstream.acquirer', var, {'host': h})
        ramp = r.uniform(1, 5) * MIN
        tail = r.uniform(3, 10) * MIN
        for t in w.terms:
            if t['host'] != h:
                continue
            j = r.uniform(0, 40)
            f.add(t['tid'], st + j, st + j + ramp, 0.3, 1.0)
            f.add(t['tid'], st + j + ramp, st + j + dur, 1.0)
            f.add(t['tid'], st + j + dur, st + j + dur + tail, 0.6, 0.1)
        f.start, f.end = f.span()
        return f

    def issuer(self):
        r, w = self.rng, self.w
        if r.random() < 0.55:
            key = wchoice(r, [(i[0], i[3]) for i in ISSUERS if i[4] is None])
        else:
            key = r.choice([i[0] for i in ISSUERS if i[4] is not None])
        iss = ISSUER_BY_KEY[key]
        st = self.when(self.W0 + 10 * MIN, self.W1 - 40 * MIN)
        en = st + (r.uniform(10, 35) if iss[4] is None else r.uniform(20, 90)) * MIN
        f = self.new('upstream.issuer', 'outage', {'issuer': key, 'bins': [b[0] for b in iss[2]]},
                     dict(issuer=key))
        f.g_eps.append((st, en, 1.0, 1.0))
        f.start, f.end = st, en
        return f

    # ----------------------------------------------------------------- plan
    def plan(self):
        r = self.rng
        excl = []
        for i, c in enumerate(CAUSES):
            if c != 'card.decline' and i % 10 == self.seed % 10 and r.random() < 0.5:
                excl.append(c)
        makers = [
            ('power.supply', self.power_site), ('power.supply', self.power_adapter),
            ('power.battery', self.battery), ('network.signal', self.signal), ('network.lan', self.lan),
            ('network.carrier', self.carrier), ('software.bug', self.bug),
            ('software.incompatible', self.incompatible), ('software.config', self.config),
            ('security.keys', self.keys), ('security.certificate', self.certificate),
            ('transmission.corruption', self.corruption), ('resource.storage', self.storage),
            ('resource.memory', self.memory), ('resource.cpu', self.cpu), ('hardware.keypad', self.keypad),
            ('hardware.display', self.display), ('hardware.card_reader', self.card_reader),
            ('hardware.printer', self.printer), ('hardware.board', self.board),
            ('operator.error', self.operator), ('business.merchant', self.frozen),
            ('business.txn_type', self.txn_type), ('business.limit', self.limit), ('business.risk', self.risk),
            ('upstream.acquirer', self.acquirer), ('upstream.issuer', self.issuer),
        ]
        extra = {'network.lan': r.randint(1, 3), 'network.signal': r.randint(3, 5),
                 'hardware.printer': r.randint(1, 3), 'power.battery': r.randint(1, 3),
                 'hardware.card_reader': r.randint(0, 2), 'operator.error': r.randint(0, 2),
                 'power.supply': r.randint(0, 1), 'security.keys': r.randint(0, 1), 'software.config': r.randint(0, 1),
                 'network.carrier': 1 if r.random() < 0.35 else 0, 'upstream.issuer': 1 if r.random() < 0.35 else 0,
                 'upstream.acquirer': 1 if r.random() < 0.2 else 0,
                 'resource.memory': r.randint(0, 1), 'hardware.keypad': r.randint(0, 1),
                 'hardware.display': r.randint(0, 1), 'transmission.corruption': r.randint(0, 1),
                 'resource.storage': r.randint(0, 1), 'resource.cpu': r.randint(0, 1),
                 'hardware.board': r.randint(0, 1), 'business.risk': r.randint(0, 1)}
        done_adapter = False
        for cause, mk in makers:
            if cause in excl:
                continue
            if mk == self.power_adapter:
                if r.random() < 0.6:
                    mk()
                    done_adapter = True
                continue
            n = 1 + extra.get(cause, 0)
            for k in range(n):
                mk()
        self.excluded = excl
        return self.faults


# ---------------------------------------------------------------------------
# per-terminal simulation
# ---------------------------------------------------------------------------
CARD_CH = ('card_ic', 'card_swipe', 'nfc')
DECLINES = [('51', 40), ('55', 20), ('05', 12), ('54', 8), ('14', 6), ('33', 4), ('41', 2), ('75', 1)]
APPROVED = ('00',)


class TermSim:
    def __init__(self, gen, T, flist, gfaults, updates):
        self.g = gen
        self.T = T
        self.tid = T['tid']
        self.vp = VENDORS[T['vendor']]
        self.r = random.Random('%s|%d|term|%s' % (GEN, gen.seed, T['tid']))
        self.flist = flist
        self.gfaults = gfaults
        self.updates = sorted(updates, key=lambda u: u[0])
        self.fields = telemetry_fields(T['vendor'], T['form'], T['os'])
        self.down = []          # [a, b, reason, fault]
        self.down_until = -1
        self.local = []         # (t, sym, fault, ctx)
        self.used = {}
        self.stan = self.r.randint(1, 400000)
        self.cnt = dict(power_events=0, keypad_errors=0, card_reader_errors=0, app_crashes=0)
        self.ver = {'firmware': T['fw_now'], 'app_version': T['app_now']}
        self.ver_changes = []   # (t, field, value)
        self.pan55 = {}
        self.heap = []
        self.hseq = 0
        self.last_hb = None
        self.boot_batt = None

    # -- helpers ----------------------------------------------------------
    def mi(self, t):
        return int(clamp((t - self.g.M0) // 60, 0, self.g.NM - 1))

    def is_down(self, t):
        for a, b, _, _ in reversed(self.down):
            if a <= t < b:
                return True
            if b <= t:
                break
        return False

    def add_down(self, a, b, reason, f):
        if a < self.down_until:
            return False
        self.down.append([a, b, reason, f])
        self.down_until = b
        # boot-time observations
        self.boot_hooks(b)
        return True

    def active(self, t):
        act = {}
        for f in self.flist:
            lv = f.level(self.tid, t)
            if lv > 0:
                cur = act.get(f.cause)
                if cur is None or lv > cur[1]:
                    act[f.cause] = (f, lv)
        return act

    def push(self, t, kind, payload):
        self.hseq += 1
        heapq.heappush(self.heap, (t, self.hseq, kind, payload))

    def next_stan(self):
        self.stan = self.stan + 1 if self.stan < 999999 else 1
        return '%06d' % self.stan

    def claim(self, t):
        ti = int(t)
        while ti in self.used:
            ti += 1
        self.used[ti] = 1
        return ti

    def tsfmt(self, t, kind):
        if kind in ('telemetry', 'error') and self.vp['local']:
            return ts_l(t)
        return ts_z(t)

    def emit(self, t, rec, fault=None, code=None):
        g = self.g
        if t < g.W0 or t >= g.W1:
            return False
        if fault is not None:
            t = self.claim(t)
            if t >= g.W1:
                return False
        rec['ts'] = self.tsfmt(t, rec['kind'])
        g.out.append((t, g.next_seq(), rec))
        if fault is not None:
            self.nfail = getattr(self, 'nfail', 0) + 1
            te = {'kind': 'truth_event', 'ts': rec['ts'], 'terminal_id': self.tid, 'cause': fault.cause,
                  'code': code, 'fault_id': fault.fid}
            if 'stan' in rec:
                te['stan'] = rec['stan']
            g.truth_events.append((t, g.next_seq(), te))
            fault.hit(self.tid, t, code)
        return True

    def err(self, t, sym, fault, stan=None, **ctx):
        r, vp = self.r, self.vp
        code = ctx['rc'] if sym == 'decl' else vendor_code(self.T['vendor'], sym)
        rec = {'kind': 'error', 'ts': None, 'terminal_id': self.tid, 'code': code}
        stage = SYM_STAGE.get(sym)
        if stage and r.random() < vp['stage_p']:
            rec['stage'] = stage
        ctx['stan'] = stan
        if 'lt' not in ctx:
            ctx['lt'] = dt.datetime.fromtimestamp(int(t), CST).strftime('%Y-%m-%d %H:%M')
        d = render_detail(r, self.T, sym, t, ctx)
        if d:
            rec['detail'] = d
        if stan and r.random() < vp['stan_p']:
            rec['stan'] = stan
        return self.emit(t, rec, fault, code)

    # -- boot-time effects -------------------------------------------------
    def boot_hooks(self, tb):
        r = self.r
        act = self.active(tb)
        if getattr(self, 'running', False):
            before = len(self.local)
        for cause, (f, lv) in act.items():
            x = r.random()
            if cause == 'hardware.display' and x < 0.6:
                self.local.append((tb + r.uniform(3, 15), 'display', f, {}))
            elif cause == 'hardware.board' and x < 0.55:
                self.local.append((tb + r.uniform(3, 20), 'secmod', f, {}))
            elif cause == 'security.keys' and x < 0.6:
                self.local.append((tb + r.uniform(10, 40), 'nokey' if f.variant == 'lost' else 'mac', f, {}))
            elif cause == 'power.supply' and x < 0.3:
                self.local.append((tb + r.uniform(2, 10), 'volt', f, {'v': round((self.T['vnom'] or 5.0) * r.uniform(0.72, 0.86), 2)}))
            elif cause == 'power.battery' and x < 0.5:
                self.local.append((tb + r.uniform(2, 10), 'lowbatt', f, {'b': r.randint(3, 12)}))
        if getattr(self, 'running', False):
            for ev in self.local[before:]:
                self.push(ev[0], 'local', (ev[1], ev[2], ev[3]))

    # -- minute physics ---------------------------------------------------
    def sim_minutes(self):
        g, T, r = self.g, self.T, self.r
        n = g.NM
        self.online = [True] * n
        self.lat = [0] * n
        self.loss = [0.0] * n
        self.rssi = [None] * n
        self.netc = [()] * n
        self.supply = [None] * n
        self.batt = [None] * n
        self.mem = [0.0] * n
        self.cpu = [0.0] * n
        self.sto = [0.0] * n
        self.temp = [0.0] * n
        self.key = ['ok'] * n
        self.prn = ['ok'] * n
        self.skew = [0] * n
        self.pev = [0] * n
        rw = T.get('rssi_base')
        b = T.get('batt0')
        charging = False
        memacc = 0.0
        empty_set = {}
        city_t = CITIES[T['city']]['temp']
        if T['mobile']:
            amb = max(city_t + 30, 9) + r.uniform(-3, 3)
        elif T['outdoor'] and T['form'] == 'unattended' and T['seg'] == 'parking':
            amb = city_t + 12 + r.uniform(-2, 2)
        else:
            amb = 21 + r.uniform(-2, 3)
        heat = 9 if T['form'] != 'handheld' else 6
        ui = 0
        self.running = False
        dips = []
        for f in self.flist:
            if f.cause == 'power.supply' and f.variant == 'site_unstable':
                for d in f.params['dips']:
                    dips.append((d[0], d[1], d[2], f))
        dips.sort(key=lambda d: d[0])
        for i in range(n):
            t = g.M0 + i * 60
            down_now = t < self.down_until
            act = self.active(t)
            # ---- network physics
            contrib = []
            latadd = 0.0
            rs = None
            if T['network'] == 'cellular':
                if T['mobile']:
                    rw += r.gauss(0, 3) + 0.15 * (T['rssi_base'] - rw)
                    rw = clamp(rw, -97, -56)
                    rs = rw
                else:
                    rs = clamp(T['rssi_base'] + r.gauss(0, 1.5), -97, -56)
            elif T['network'] == 'wifi':
                rs = clamp(T['rssi_base'] + r.gauss(0, 2), -72, -38)
            sig = act.get('network.signal')
            if sig and rs is not None:
                tgt = sig[0].params['target']
                rs = rs + (tgt - rs) * sig[1] + r.gauss(0, 2.5)
            if rs is not None:
                if T['network'] == 'cellular':
                    l = clamp((-rs - 99) / 14.0, 0, 0.97)
                    off = rs < -113
                    latadd += 40 * max(0, -rs - 95)
                else:
                    l = clamp((-rs - 77) / 13.0, 0, 0.95)
                    off = rs < -90
                    latadd += 25 * max(0, -rs - 72)
                if (l > 0 or off) and sig:
                    contrib.append((sig[0], l, off))
            lan = act.get('network.lan')
            if lan:
                f, lv = lan
                if lv >= 0.95:
                    contrib.append((f, 1.0, True))
                else:
                    contrib.append((f, 0.08 + 0.75 * lv, False))
                    latadd += 150 + 2600 * lv
            car = act.get('network.carrier')
            if car and T['network'] == 'cellular':
                f, lv = car
                if lv >= 0.95:
                    contrib.append((f, 1.0, True))
                else:
                    contrib.append((f, 0.2 + 0.65 * lv, False))
                    latadd += 400 + 4000 * lv
            co = act.get('transmission.corruption')
            if co:
                contrib.append((co[0], 0.01 + 0.03 * co[1], False))
            # power dips (site mains): the router on the same circuit reboots
            for (dt_, rboot, router, f) in dips:
                if router and T['network'] in ('ethernet', 'wifi') and dt_ < t + 60 and dt_ + rboot > t \
                        and f.level(self.tid, dt_) > 0:
                    contrib.append((f, 1.0, True))
                    break
            offline = any(c[2] for c in contrib)
            L = 1.0
            for c in contrib:
                L *= (1 - c[1])
            L = 1 - L
            self.netc[i] = tuple(contrib)
            self.online[i] = not offline
            self.loss[i] = round(min(0.99, T['base_loss'] + L + abs(r.gauss(0, 0.002))), 3)
            self.lat[i] = int(T['base_lat'] * r.uniform(0.85, 1.25) + latadd)
            self.rssi[i] = None if rs is None else int(round(rs))
            # ---- power
            if T['vnom']:
                v = T['vnom'] * (1 + r.gauss(0, 0.006))
                ps = act.get('power.supply')
                if ps:
                    f, lv = ps
                    if f.variant == 'site_unstable':
                        v *= (1 - f.params['sag'] * lv * r.uniform(0.5, 1.2))
                    else:
                        v = T['vnom'] * f.params['sag'] * (1 + r.gauss(0, 0.012))
                        if r.random() < 0.06:
                            self.pev[i] += 1
                        if not down_now and r.random() < 0.006:
                            a = t + r.uniform(0, 59)
                            self.add_down(a, a + T['boot'] + r.uniform(5, 30), 'power_loss', f)
                for (dt_, rboot, router, f) in dips:
                    if t <= dt_ < t + 60 and f.level(self.tid, dt_) > 0:
                        self.pev[i] += r.randint(1, 3)
                        v = T['vnom'] * r.uniform(0.5, 0.8)
                        if r.random() < 0.55:
                            self.add_down(dt_, dt_ + T['boot'] + r.uniform(5, 40), 'power_loss', f)
                self.supply[i] = round(v, 2)
            # ---- backup battery of outdoor pay-stations (cold kills it)
            if T.get('ups'):
                bfe = act.get('power.battery')
                bad = bfe and bfe[0].variant == 'ups_cold'
                self.batt[i] = r.uniform(2, 12) if bad else clamp(T['ups0'] + r.gauss(0, 0.4), 60, 100)
                if r.random() < (0.02 if bad else 0.01):      # brief mains flicker at the car park
                    self.pev[i] += 1
                    if bad and not down_now and r.random() < 0.9:
                        a = t + r.uniform(0, 59)
                        self.add_down(a, a + T['boot'] + r.uniform(5, 30), 'power_loss', bfe[0])
            # ---- battery
            if T['has_batt']:
                bfe = act.get('power.battery')
                drain = T['drain_h'] / 60.0
                worn = bfe and bfe[0].variant == 'worn'
                empty = bfe and bfe[0].variant == 'empty'
                if worn:
                    drain *= bfe[0].params['drain']
                if empty:
                    drain *= bfe[0].params['drain']
                    if bfe[0].fid not in empty_set:
                        empty_set[bfe[0].fid] = 1
                        b = min(b, bfe[0].params['start_pct'])
                if self.boot_batt is not None and t >= self.down_until:
                    b = self.boot_batt
                    self.boot_batt = None
                    charging = True
                if empty:
                    charging = False
                elif charging:
                    if r.random() < (0.05 if b > 60 else 0.02):
                        charging = False
                else:
                    pon = 0.012 * T['charge_p']
                    if not bfe and b < 35:
                        pon = 0.25
                    if worn:
                        pon = 0.015
                    if r.random() < pon:
                        charging = True
                if charging:
                    b += 0.8 if worn else 0.45
                elif not down_now:
                    b -= drain * r.uniform(0.7, 1.3)
                b = clamp(b, 0, 100)
                if not bfe:
                    b = max(b, 22 + r.uniform(0, 2))
                if bfe and not down_now:
                    f = bfe[0]
                    if worn and b <= f.params['cutoff'] and not charging:
                        a = t + r.uniform(0, 59)
                        if self.add_down(a, a + r.uniform(8, 35) * MIN, 'power_loss', f):
                            self.boot_batt = f.params['cutoff'] + r.uniform(4, 15)
                    elif empty and b <= 0.5:
                        e_end = max(e[1] for e in f.eps[self.tid])
                        a = t + r.uniform(0, 59)
                        if self.add_down(a, max(a + 5 * MIN, e_end + r.uniform(2, 10) * MIN), 'power_loss', f):
                            self.boot_batt = r.uniform(8, 20)
                self.batt[i] = b
            # ---- memory (leaks: resource.memory or a buggy release)
            leak = 0.0
            leak_f = None
            for c in ('resource.memory', 'software.bug'):
                x = act.get(c)
                if x and (c == 'resource.memory' or x[0].variant == 'leak'):
                    leak += x[0].params['leak'] * x[1]
                    leak_f = x[0]
            memacc += leak
            mv = T['mem0'] + memacc + r.gauss(0, 1.2)
            if mv >= 97.5 and not down_now and leak_f is not None:
                tc = t + r.uniform(0, 59)
                self.local.append((tc, 'oom' if r.random() < 0.6 else 'crash', leak_f, {}))
                self.cnt_minute_crash = True
                if r.random() < 0.5:
                    self.add_down(tc + 1, tc + r.uniform(40, 90), r.choice(['crash', 'watchdog']), leak_f)
                else:
                    self.add_down(tc + 1, tc + r.uniform(8, 20), None, leak_f)
                self.pending_crashes = getattr(self, 'pending_crashes', 0) + 1
                memacc = r.uniform(0, 6)
            self.mem[i] = round(clamp(mv, 5, 99.6), 1)
            # ---- cpu / temperature
            cv = T['cpu0'] + r.gauss(0, 3)
            tadd = 0.0
            cf = act.get('resource.cpu')
            if cf:
                f, lv = cf
                cv = 78 + 21 * lv + r.gauss(0, 2)
                tadd += 14 * lv
                if not down_now and r.random() < 0.004 * lv:
                    a = t + r.uniform(0, 59)
                    self.add_down(a, a + T['boot'] + r.uniform(5, 20), 'watchdog', f)
            self.cpu[i] = round(clamp(cv, 1, 100), 1)
            tv = amb + heat + tadd + (self.cpu[i] - T['cpu0']) * 0.05 + r.gauss(0, 0.6)
            bd = act.get('hardware.board')
            if bd:
                f, lv = bd
                if r.random() < 0.15 * lv:
                    tv = r.choice([85.0, -40.0, 127.0, tv + 25])
                if not down_now and r.random() < 0.004 * lv:
                    a = t + r.uniform(0, 59)
                    self.add_down(a, a + T['boot'] + r.uniform(5, 60), 'crash', f)
            self.temp[i] = round(tv, 1)
            # ---- storage
            sv = T['sto0'] + (t - g.M0) / 3600.0 * 0.05
            sf = act.get('resource.storage')
            if sf:
                sv = max(sv, 93 + 6.9 * sf[1] + r.gauss(0, 0.1))
            self.sto[i] = round(min(99.9, sv), 1)
            # ---- keys / printer / clock
            kf = act.get('security.keys')
            if kf:
                self.key[i] = 'missing' if kf[0].variant == 'lost' else 'mismatch'
            pf = act.get('hardware.printer')
            if pf:
                self.prn[i] = 'paper_out' if pf[0].variant == 'paper_out' else 'fault'
            ce = act.get('security.certificate')
            if ce and ce[0].variant == 'clock':
                self.skew[i] = int(ce[0].params['clock'] - t)
            else:
                self.skew[i] = int(round(r.gauss(0, 1.2)))
            # ---- software updates (TMS pushes)
            while ui < len(self.updates) and self.updates[ui][0] < t + 60:
                tu, field, val, f, note = self.updates[ui]
                ui += 1
                if field in ('app_version', 'firmware'):
                    self.add_down(tu, tu + r.uniform(90, 240), 'update', None)
                    self.ver_changes.append((tu, field, val))
                    if g.W0 <= tu < g.W1:
                        g.maint.append((tu, self.tid, 'firmware_update', note))

    # -- transaction requests ---------------------------------------------
    def draw_card(self):
        r = self.r
        items = []
        for iss in ISSUERS:
            w = iss[3]
            if iss[4] == self.T['city']:
                w *= 12
            elif iss[4] is not None:
                w *= 0.1
            items.append((iss, w))
        iss = wchoice(r, items)
        b, ctype, ln = r.choice(iss[2])
        pan = b + '*' * (ln - 10) + '%04d' % r.randint(0, 9999)
        return dict(issuer=iss[0], bin=b, ctype=ctype, pan=pan)

    def draw_amount(self):
        r = self.r
        seg = self.T['seg']
        med, sig = SEGMENTS[seg]['amount']
        a = med * math.exp(r.gauss(0, sig))
        if seg == 'taxi':
            a = max(1300, round(a / 100) * 100)
        elif seg == 'parking':
            a = max(500, round(a / 500) * 500)
        elif seg == 'canteen':
            a = max(300, round(a / 10) * 10)
        elif seg == 'wholesale':
            a = max(2000, round(a / 100) * 100)
        else:
            a = max(100, int(a))
        return int(a)

    def new_request(self, t):
        r, T = self.r, self.T
        seg = SEGMENTS[T['seg']]
        act = self.active(t)
        ch = wchoice(r, seg['channels'])
        typ = 'purchase'
        x = r.random()
        tt = act.get('business.txn_type')
        if T['attended']:
            if x < 0.012:
                typ = 'refund'
            elif x < 0.02 and ch != 'qr':
                typ = 'balance'
            if tt and tt[0].variant == 'preauth' and r.random() < 0.2:
                typ = 'preauth'
            if tt and tt[0].variant == 'refund' and r.random() < 0.07:
                typ = 'refund'
        req = dict(type=typ, channel=ch, amount=self.draw_amount() if typ != 'balance' else 0, depth=0)
        if T['seg'] == 'canteen' and typ == 'purchase' and ch != 'qr' and r.random() < 0.04:
            req['type'] = 'balance'
            req['amount'] = 0
        rk = act.get('business.risk')
        if rk and rk[0].variant == 'cashout' and r.random() < 0.35:
            req['amount'] = r.choice([200000, 300000, 500000, 498000, 499900])
            req['channel'] = r.choice(['card_swipe', 'card_ic', 'card_ic'])
            req['suspicious'] = True
        if req['channel'] in CARD_CH:
            req['card'] = self.draw_card()
        return req

    def needs_pin(self, req):
        c = req.get('card')
        if not c:
            return False
        if req['channel'] == 'nfc':
            return req['amount'] > 100000
        if c['ctype'] == 'debit':
            return True
        return self.r.random() < 0.5

    def retry(self, t, req, p=1.0, **chg):
        r = self.r
        if r.random() >= p or req.get('depth', 0) >= 3:
            return
        if t >= self.g.W1:
            return
        n = dict(req)
        n['depth'] = req.get('depth', 0) + 1
        n.update(chg)
        if n['channel'] == 'qr':
            n.pop('card', None)
        elif 'card' not in n:
            n['card'] = self.draw_card()
        self.push(t, 'txn', n)

    def txn_rec(self, t, req, rc=None, timed_out=False, latency=None, fault=None):
        r, T = self.r, self.T
        rec = {'kind': 'txn', 'ts': None, 'terminal_id': self.tid}
        if r.random() > 0.02:
            rec['merchant_id'] = T['merchant']
        rec['type'] = req['type']
        rec['amount'] = req['amount']
        rec['currency'] = self.g.host_currency[T['host']]
        rec['channel'] = req['channel']
        rec['stan'] = req['stan']
        if rc is not None:
            d = dt.datetime.fromtimestamp(int(t), CST)
            rec['rrn'] = '%03d%02d%d%s' % (d.timetuple().tm_yday, d.hour, r.randint(0, 9), req['stan'])
        if r.random() > 0.05:
            mcc = T['mcc']
            if self.g.mcc_jump.get(T['merchant']) and r.random() < 0.3:
                mcc = self.g.mcc_jump[T['merchant']]
            rec['mcc'] = mcc
        if rc is not None:
            rec['response_code'] = rc
        if timed_out:
            rec['timed_out'] = True
        if latency is not None and r.random() > 0.03:
            rec['latency_ms'] = int(latency)
        if rc == '00' and req['type'] in ('purchase', 'completion') and req['amount'] > 0:
            m = self.g.world.mer_by_id[T['merchant']]
            rate = m['qr_rate'] if req['channel'] == 'qr' else m['card_rate']
            rec['fee'] = int(round(req['amount'] * rate))
        if req.get('card'):
            rec['pan'] = req['card']['pan']
        code = None
        if fault is not None:
            code = 'timeout' if timed_out else rc
        return self.emit(t, rec, fault, code)

    def pick_net(self, contrib):
        tot = sum(c[1] for c in contrib)
        x = self.r.random() * tot
        for c in contrib:
            x -= c[1]
            if x < 0:
                return c[0]
        return contrib[-1][0]

    # -- the transaction pipeline -----------------------------------------
    def attempt(self, t, req):
        if t < getattr(self, 'pause_until', 0):
            return
        before = getattr(self, 'nfail', 0)
        self._attempt(t, req)
        if getattr(self, 'nfail', 0) > before:
            self.streak = getattr(self, 'streak', 0) + 1
            if self.streak >= 3 and self.r.random() < 0.6:
                # the cashier gives up on the terminal for a while and shows the
                # merchant's static QR sticker instead (nothing is recorded)
                self.pause_until = t + self.r.uniform(4, 20) * MIN
                self.streak = 0
                self.heap = [h for h in self.heap if h[2] != 'txn']
                heapq.heapify(self.heap)
        else:
            self.streak = 0

    def _attempt(self, t, req):
        g, T, r, vp = self.g, self.T, self.r, self.vp
        if self.is_down(t) or t >= g.W1:
            return
        i = self.mi(t)
        act = self.active(t)
        typ, ch, card = req['type'], req['channel'], req.get('card')
        stan = self.next_stan()
        req['stan'] = stan
        attended = T['attended']
        unatt_retry = 1.0 if attended else 0.35
        op = act.get('operator.error')
        disp = act.get('hardware.display')
        # 1 --- cashier / screen
        if attended:
            if typ in ('void', 'refund'):
                p_bg = 0.03
                p_tr = op[1] * 0.35 if op else 0.0
                if r.random() < p_bg + p_tr:
                    f = op[0] if (op and r.random() < p_tr / (p_bg + p_tr)) else g.bg_oper
                    self.err(t + r.uniform(3, 12), 'oper_pwd', f)
                    self.retry(t + r.uniform(15, 45), req, 0.8)
                    return
            pc = [(g.bg_oper, 0.0025)]
            if op:
                pc.append((op[0], op[1] * op[0].params['p'] * 0.35))
            if disp:
                pc.append((disp[0], disp[1] * 0.2))
            tot = sum(x[1] for x in pc)
            if r.random() < tot:
                f = wchoice(r, pc)
                self.err(t + r.uniform(5, 40), 'cancel', f, stan)
                self.retry(t + r.uniform(30, 80), req, 0.6)
                return
        if disp and r.random() < 0.05 * disp[1]:
            self.err(t + r.uniform(1, 5), 'display', disp[0])
        bf = act.get('power.battery')
        if T['has_batt'] and bf:
            b = self.batt[i] or 50
            thr = bf[0].params['cutoff'] + 8 if bf[0].variant == 'worn' else 12
            if b < thr and r.random() < 0.45:
                self.err(t + r.uniform(1, 3), 'lowbatt', bf[0], stan, b=int(b))
                self.retry(t + r.uniform(60, 200), req, 0.4)
                return
        bd = act.get('hardware.board')
        if bd and r.random() < 0.07 * bd[1]:
            self.err(t + r.uniform(1, 4), 'secmod', bd[0], stan)
            self.retry(t + r.uniform(60, 180), req, 0.4 * unatt_retry)
            return
        kp0 = act.get('hardware.keypad')
        if kp0 and attended and r.random() < 0.1 * kp0[1]:
            self.cnt['keypad_errors'] += r.randint(1, 4)
            self.err(t + r.uniform(2, 10), 'pin_dev', kp0[0])
            self.retry(t + r.uniform(20, 50), req, 0.8)
            return
        # 2 --- card reader / PIN pad
        badpin = None
        pin = False
        if ch in CARD_CH:
            cr = act.get('hardware.card_reader')
            if cr:
                var = cr[0].variant
                applies = var == 'all' or (var == 'ic' and ch == 'card_ic') or (var == 'nfc' and ch == 'nfc')
                if applies and r.random() < 0.3 + 0.6 * cr[1]:
                    sym = {'card_ic': 'card_ic', 'nfc': 'card_nfc', 'card_swipe': 'card_mag'}[ch]
                    self.cnt['card_reader_errors'] += r.randint(1, 2)
                    self.err(t + r.uniform(2, 10), sym, cr[0], stan)
                    alt = {'card_ic': [('card_swipe', 5), ('card_ic', 2), ('qr', 3)],
                           'nfc': [('card_ic', 5), ('nfc', 2), ('qr', 3)],
                           'card_swipe': [('card_ic', 5), ('qr', 5)]}[ch]
                    self.retry(t + r.uniform(10, 40), req, 0.8 * unatt_retry, channel=wchoice(r, alt))
                    return
            pin = self.needs_pin(req)
            if pin:
                kp = act.get('hardware.keypad')
                if kp:
                    x = r.random()
                    if x < 0.28 * kp[1]:
                        self.cnt['keypad_errors'] += r.randint(1, 3)
                        self.err(t + r.uniform(5, 20), 'pin_dev', kp[0], stan)
                        self.retry(t + r.uniform(20, 50), req, 0.7 * unatt_retry)
                        return
                    if x < 0.63 * kp[1]:
                        badpin = kp[0]
                        self.cnt['keypad_errors'] += 1
                if disp and r.random() < 0.12 * disp[1]:
                    self.err(t + r.uniform(25, 60), 'pin_timeout', disp[0], stan)
                    self.retry(t + r.uniform(70, 120), req, 0.6)
                    return
        # 3 --- application / resources / parameters
        bug = act.get('software.bug')
        if bug and bug[0].variant == 'crash_nfc' and ch == 'nfc' and r.random() < 0.55:
            self.cnt['app_crashes'] += 1
            self.err(t + r.uniform(1, 4), 'crash', bug[0], stan)
            self.add_down(t + 5, t + r.uniform(12, 25), None, bug[0])
            self.retry(t + r.uniform(30, 60), req, 0.6 * unatt_retry, channel=r.choice(['card_ic', 'qr']))
            return
        memv = self.mem[i]
        if memv > 92.5 and r.random() < (memv - 92.5) / 7.0 * 0.5:
            lf = act.get('resource.memory') or (bug if bug and bug[0].variant == 'leak' else None)
            if lf:
                self.cnt['app_crashes'] += 1
                self.err(t + r.uniform(1, 5), 'oom', lf[0], stan)
                self.add_down(t + 6, t + r.uniform(12, 30), None, lf[0])
                self.retry(t + r.uniform(35, 70), req, 0.5 * unatt_retry)
                return
        stf = act.get('resource.storage')
        if stf and self.sto[i] >= 98.6 and r.random() < 0.5:
            self.err(t + r.uniform(1, 4), 'db', stf[0], stan)
            self.retry(t + r.uniform(20, 60), req, 0.4 * unatt_retry)
            return
        kf = act.get('security.keys')
        if kf and kf[0].variant == 'lost':
            self.err(t + r.uniform(1, 4), 'nokey', kf[0], stan)
            self.retry(t + r.uniform(40, 120), req, 0.35 * unatt_retry)
            return
        cfg = act.get('software.config')
        if cfg and cfg[0].variant == 'host_ip':
            self.err(t + r.uniform(10, 25), 'conn', cfg[0], stan)
            self.retry(t + r.uniform(40, 90), req, 0.5 * unatt_retry)
            return
        # 4 --- network
        netc = self.netc[i]
        if netc:
            offs = [c for c in netc if c[2]]
            if offs:
                f = r.choice(offs)[0]
                sym = 'conn'
                if f.cause in ('network.signal', 'network.carrier') and r.random() < 0.6:
                    sym = 'nosignal'
                elif T['network'] == 'wifi' and r.random() < 0.4:
                    sym = 'nosignal'
                self.err(t + (r.uniform(1, 4) if sym == 'nosignal' else r.uniform(8, 20)), sym, f, stan,
                         csq=r.randint(0, 5))
                self.retry(t + r.uniform(30, 90), req, 0.5 * unatt_retry, channel=r.choice([ch, ch, 'qr']))
                return
            L = 1.0
            for c in netc:
                L *= (1 - c[1])
            L = 1 - L
            if r.random() < min(0.95, (L ** 1.15) * 0.85):
                f = self.pick_net(netc)
                self.err(t + r.uniform(8, 20), 'conn', f, stan)
                self.retry(t + r.uniform(30, 90), req, 0.55 * unatt_retry)
                return
        else:
            L = 0.0
        # 5 --- TLS
        ce = act.get('security.certificate')
        if ce:
            sym = 'tls_expired' if ce[0].variant == 'expired_batch' else 'tls_clock'
            self.err(t + r.uniform(1, 4), sym, ce[0], stan, na=ts_z(T['cert_not_after']),
                     lt=dt.datetime.fromtimestamp(int(ce[0].params.get('clock', t)), CST).strftime('%Y-%m-%d %H:%M'))
            self.retry(t + r.uniform(40, 120), req, 0.4 * unatt_retry)
            return
        inc = act.get('software.incompatible')
        if inc and inc[0].variant == 'tls':
            self.err(t + r.uniform(1, 4), 'tls_proto', inc[0], stan)
            self.retry(t + r.uniform(40, 120), req, 0.35 * unatt_retry)
            return
        # 6 --- host side
        host = HOSTS[T['host']]
        latency = host['base_ms'] + 2 * self.lat[i] + r.randint(80, 900)
        rc, cause_f, timeout, reached = None, None, False, True
        post_pkt = None
        acq = act.get('upstream.acquirer')
        if acq:
            f, lv = acq
            if f.variant == 'down':
                p = 0.55 + 0.43 * lv
                opts = [('timeout', 55), ('96', 30), ('91', 10), ('98', 5)]
            else:
                p = 0.25 + 0.55 * lv
                latency += r.uniform(3000, 22000) * lv
                opts = [('timeout', 45), ('96', 40), ('98', 15)]
            if r.random() < p:
                o = wchoice(r, opts)
                cause_f = f
                if o == 'timeout':
                    timeout = True
                    reached = f.variant != 'down'
                else:
                    rc = o
        if cause_f is None:
            x = r.random()
            cfgv = cfg[0].variant if cfg else None
            if inc and inc[0].variant == 'msg':
                rc, cause_f = ('30' if x < 0.6 else '12'), inc[0]
            elif cfgv == 'tid':
                rc, cause_f = ('97' if x < 0.75 else '03'), cfg[0]
            elif cfgv == 'keyidx':
                rc, cause_f = 'A0', cfg[0]
            elif kf and kf[0].variant == 'rotation' and x < 0.97:
                rc, cause_f = 'A0', kf[0]
            elif act.get('business.merchant'):
                rc, cause_f = ('03' if x < 0.95 else '05'), act['business.merchant'][0]
        if cause_f is None:
            x = r.random()
            tt = act.get('business.txn_type')
            lm = act.get('business.limit')
            rk = act.get('business.risk')
            if tt:
                v = tt[0].variant
                if v == 'preauth' and typ in ('preauth', 'completion'):
                    rc, cause_f = ('40' if x < 0.7 else '58'), tt[0]
                elif v == 'credit' and card and card['ctype'] == 'credit' and typ != 'balance':
                    rc, cause_f = ('57' if x < 0.8 else '58'), tt[0]
                elif v == 'refund' and typ == 'refund':
                    rc, cause_f = ('40' if x < 0.6 else '12'), tt[0]
            if cause_f is None and lm and typ in ('purchase', 'preauth'):
                v = lm[0].variant
                if v == 'single' and req['amount'] > lm[0].params['limit'] and ch != 'qr':
                    rc, cause_f = ('61' if x < 0.85 else '13'), lm[0]
                elif v == 'daily' and ch != 'qr':
                    rc, cause_f = ('61' if x < 0.6 else '65'), lm[0]
            if cause_f is None and rk and typ == 'purchase':
                v = rk[0].variant
                if v == 'cashout':
                    if req.get('suspicious') and x < 0.9:
                        rc, cause_f = ('59' if x < 0.7 else '34'), rk[0]
                    elif card and req['amount'] >= 50000 and x < 0.25:
                        rc, cause_f = '59', rk[0]
                elif v == 'rule':
                    if card and req['amount'] >= rk[0].params['thr'] and x < 0.85:
                        rc, cause_f = ('59' if x < 0.55 else '62'), rk[0]
                elif v == 'velocity':
                    if card and x < 0.3:
                        rc, cause_f = wchoice(r, [('59', 6), ('34', 3), ('05', 1)]), rk[0]
        if cause_f is None and card:
            for f in self.gfaults:
                if f.params.get('issuer') == card['issuer'] and f.glevel(t) > 0:
                    o = wchoice(r, [('91', 82), ('98', 10), ('timeout', 8)])
                    cause_f = f
                    if o == 'timeout':
                        timeout = True
                    else:
                        rc = o
                    break
        if cause_f is None and bug and bug[0].variant == 'field55' and ch in ('card_ic', 'nfc') and r.random() < 0.7:
            rc, cause_f = '30', bug[0]
        co = act.get('transmission.corruption')
        if cause_f is None and co and r.random() < co[0].params['p'] * co[1]:
            o = wchoice(r, [('pkt', 35), ('30', 40), ('A0', 12), ('timeout', 13)])
            cause_f = co[0]
            if o == 'pkt':
                post_pkt = co[0]
            elif o == 'timeout':
                timeout = True
            else:
                rc = o
        if cause_f is None and card and badpin and pin:
            n55 = self.pan55.get(card['pan'], 0) + 1
            self.pan55[card['pan']] = n55
            rc, cause_f = ('75' if n55 >= 3 else '55'), badpin
        if cause_f is None and typ != 'reversal':
            if card:
                pdec = 0.032 if T['seg'] != 'wholesale' else 0.05
                if typ == 'balance':
                    pdec = 0.01
                if r.random() < pdec:
                    code = wchoice(r, DECLINES)
                    if code in ('55', '75') and not pin:
                        code = '51' if typ != 'balance' else '14'
                    if code == '55':
                        n55 = self.pan55.get(card['pan'], 0) + 1
                        self.pan55[card['pan']] = n55
                        if n55 >= 3:
                            code = '75'
                    rc, cause_f = code, g.bg_decline
            elif r.random() < 0.012:
                rc, cause_f = ('51' if r.random() < 0.8 else '05'), g.bg_decline
        if op and typ == 'void' and cause_f is None and req.get('bad_orig'):
            rc, cause_f = '25', op[0]
        if req.get('dup'):
            rc, cause_f = '94', op[0] if op else g.bg_oper
        # response lost on the way back
        if not timeout and L > 0 and r.random() < L * 0.6:
            timeout, reached = True, True
            cause_f = self.pick_net(netc)
            rc = None
        if not timeout and latency > vp['timeout'] * 1000:
            timeout = True
            rc = None
            if cause_f is None:
                cause_f = acq[0] if acq else None
        if timeout and cause_f is None:
            timeout = False
        # 7 --- records
        if timeout:
            tend = t + vp['timeout'] + r.uniform(0, 2)
            self.txn_rec(tend, req, timed_out=True, latency=vp['timeout'] * 1000 + r.randint(0, 1500), fault=cause_f)
            if r.random() < 0.85:
                self.err(tend + r.uniform(1, 3), 'recv_to', cause_f, stan)
            if typ in ('purchase', 'preauth', 'completion', 'refund'):
                self.push(tend + r.uniform(5, 90), 'rev', dict(req=req, reached=reached, fault=cause_f, tries=0))
            self.retry(tend + r.uniform(15, 60), req, 0.35 * unatt_retry, channel=r.choice([ch, 'qr']))
            return
        tend = t + latency / 1000.0
        if rc is not None and rc not in APPROVED:
            self.txn_rec(tend, req, rc=rc, latency=latency, fault=cause_f)
            if rc == 'A0' and r.random() < 0.8:
                self.err(tend + r.uniform(1, 3), 'mac', cause_f, stan)
            elif vp['echo_p'] and r.random() < vp['echo_p']:
                self.err(tend + r.uniform(1, 3), 'decl', cause_f, stan, rc=rc)
            if rc in ('51', '05', '14', '54', '33', '41', '75', '62', '57', '03', '61', '65', '13', '91'):
                self.retry(tend + r.uniform(20, 70), req, 0.45 * unatt_retry, channel='qr')
            elif rc == '55':
                self.retry(tend + r.uniform(15, 40), req, 0.75 * unatt_retry)
            elif rc in ('96', '98', 'A0', '30', '97', '12', '40', '58', '59', '34'):
                self.retry(tend + r.uniform(20, 80), req, 0.3 * unatt_retry)
            return
        # approved
        self.txn_rec(tend, req, rc='00', latency=latency)
        if post_pkt is not None:
            self.err(tend + r.uniform(1, 3), 'pkt', post_pkt, stan)
            self.push(tend + r.uniform(5, 40), 'rev', dict(req=req, reached=True, fault=post_pkt, tries=0))
            return
        if typ in ('balance', 'reversal', 'void'):
            return
        pf = act.get('hardware.printer')
        if pf and r.random() < (0.92 if pf[0].variant == 'paper_out' else 0.6):
            self.err(tend + r.uniform(2, 6), 'paper' if pf[0].variant == 'paper_out' else 'printer', pf[0], stan)
        ps = act.get('power.supply')
        if ps and ps[0].variant == 'adapter' and r.random() < 0.12 and not self.is_down(tend + 3):
            self.err(tend + r.uniform(2, 5), 'volt', ps[0], stan, v=round(T['vnom'] * r.uniform(0.7, 0.8), 2))
            self.add_down(tend + 6, tend + 6 + T['boot'] + r.uniform(5, 20), 'power_loss', ps[0])
            self.pev[self.mi(tend)] += 1
        if bug and bug[0].variant == 'print_crash' and r.random() < 0.4:
            self.cnt['app_crashes'] += 1
            self.err(tend + r.uniform(2, 6), 'crash', bug[0], stan)
            self.add_down(tend + 7, tend + r.uniform(15, 30), None, bug[0])
        cf = act.get('resource.cpu')
        if cf and r.random() < 0.3 * cf[1]:
            te = t + vp['timeout'] + r.uniform(0, 2)
            self.err(te, 'recv_to', cf[0], stan)
            self.push(te + r.uniform(5, 40), 'rev', dict(req=req, reached=True, fault=cf[0], tries=0))
            return
        if stf and self.sto[i] >= 98.6 and r.random() < 0.3:
            self.err(tend + r.uniform(1, 4), 'db', stf[0], stan)
            self.push(tend + r.uniform(5, 40), 'rev', dict(req=req, reached=True, fault=stf[0], tries=0))
            return
        # cashier mistakes after an approval: wrong amount -> void; double submit
        if attended and typ == 'purchase':
            p_wrong = 0.004 + (op[1] * op[0].params['p'] * 0.4 if op else 0)
            if r.random() < p_wrong:
                v = dict(type='void', channel=ch, amount=req['amount'], depth=0, card=card)
                if op and r.random() < 0.3:
                    v['bad_orig'] = True
                self.push(tend + r.uniform(30, 120), 'txn', v)
                redo = dict(req)
                redo['depth'] = 0
                redo['amount'] = max(100, int(req['amount'] * r.choice([0.1, 10, 0.9, 1.1]))) if r.random() < 0.5 else max(100, req['amount'] - r.randint(1, 9) * 100)
                self.push(tend + r.uniform(130, 200), 'txn', redo)
            elif op and r.random() < 0.05 * op[1]:
                d = dict(req)
                d['dup'] = True
                d['depth'] = 3
                self.push(tend + r.uniform(4, 20), 'txn', d)

    def reversal(self, t, job):
        r, g, T, vp = self.r, self.g, self.T, self.vp
        if t >= g.W1 or job['tries'] > 3:
            return
        orig = job['req']
        if self.is_down(t):
            job['tries'] += 1
            self.push(t + r.uniform(60, 180), 'rev', job)
            return
        i = self.mi(t)
        act = self.active(t)
        req = dict(type='reversal', channel=orig['channel'], amount=orig['amount'], card=orig.get('card'), depth=3)
        req['stan'] = self.next_stan()
        netc = self.netc[i]
        blocked = any(c[2] for c in netc) or act.get('security.certificate') or \
            (act.get('software.incompatible') and act['software.incompatible'][0].variant == 'tls') or \
            (act.get('software.config') and act['software.config'][0].variant == 'host_ip')
        if not blocked and netc:
            L = 1.0
            for c in netc:
                L *= (1 - c[1])
            blocked = r.random() < L * 0.9
        if blocked:
            job['tries'] += 1
            self.push(t + r.uniform(60, 200), 'rev', job)
            return
        acq = act.get('upstream.acquirer')
        latency = HOSTS[T['host']]['base_ms'] + 2 * self.lat[i] + r.randint(50, 300)
        if acq and r.random() < 0.5 + 0.4 * acq[1]:
            job['tries'] += 1
            if r.random() < 0.25:
                tend = t + vp['timeout'] + r.uniform(0, 2)
                self.txn_rec(tend, req, timed_out=True, latency=vp['timeout'] * 1000 + r.randint(0, 900), fault=acq[0])
                job['tries'] += 1
            self.push(t + r.uniform(180, 420), 'rev', job)
            return
        if act.get('security.keys') and act['security.keys'][0].variant == 'rotation':
            job['tries'] += 1
            self.push(t + r.uniform(120, 300), 'rev', job)
            return
        rc = '00'
        if not job['reached'] and r.random() < 0.5:
            rc = '25'
        self.txn_rec(t + latency / 1000.0, req, rc=rc, latency=latency,
                     fault=job['fault'] if rc != '00' else None)

    # -- heartbeats ---------------------------------------------------------
    def heartbeat(self, t):
        r, g, T, vp = self.r, self.g, self.T, self.vp
        if self.is_down(t):
            if vp['tms_off'] and r.random() < 0.8:
                self.emit(t, {'kind': 'telemetry', 'ts': None, 'terminal_id': self.tid, 'online': False})
            return
        i = self.mi(t)
        if not self.online[i]:
            if vp['tms_off']:
                self.emit(t, {'kind': 'telemetry', 'ts': None, 'terminal_id': self.tid, 'online': False})
            return
        if r.random() < self.loss[i] * 0.8:
            return
        rec = {'kind': 'telemetry', 'ts': None, 'terminal_id': self.tid}
        prev = self.last_hb if self.last_hb is not None else t - vp['hb']
        # reboot since last sample
        reason = None
        for a, b, rs, f in self.down:
            if prev < b <= t and rs:
                reason = rs
        pev = sum(self.pev[self.mi(prev) + 1:i + 1]) if i > self.mi(prev) else 0
        self.cnt['power_events'] += pev
        act = self.active(t)
        kp = act.get('hardware.keypad')
        if kp and r.random() < 0.3 * kp[1]:
            self.cnt['keypad_errors'] += 1
        cr = act.get('hardware.card_reader')
        if cr and r.random() < 0.2 * cr[1]:
            self.cnt['card_reader_errors'] += 1
        crashes = getattr(self, 'pending_crashes', 0)
        if crashes:
            self.cnt['app_crashes'] += crashes
            self.pending_crashes = 0
        for fld in self.fields:
            if fld != 'online' and r.random() < 0.04:
                continue
            if fld == 'online':
                rec['online'] = True
            elif fld == 'latency_ms':
                rec[fld] = int(self.lat[i] * r.uniform(0.8, 1.25))
            elif fld == 'packet_loss':
                rec[fld] = self.loss[i]
            elif fld == 'rssi_dbm':
                if self.rssi[i] is not None:
                    rec[fld] = self.rssi[i]
            elif fld == 'supply_v':
                if self.supply[i] is not None:
                    rec[fld] = self.supply[i]
            elif fld == 'battery_pct':
                if self.batt[i] is not None:
                    rec[fld] = int(self.batt[i])
            elif fld == 'power_events':
                if self.cnt['power_events'] or r.random() < 0.5:
                    rec[fld] = self.cnt['power_events']
            elif fld == 'memory_used_pct':
                rec[fld] = self.mem[i]
            elif fld == 'storage_used_pct':
                rec[fld] = self.sto[i]
            elif fld == 'cpu_pct':
                rec[fld] = self.cpu[i]
            elif fld == 'temp_c':
                rec[fld] = self.temp[i]
            elif fld == 'key_check':
                rec[fld] = self.key[i]
            elif fld == 'clock_skew_s':
                rec[fld] = self.skew[i]
            elif fld == 'printer':
                rec[fld] = self.prn[i]
            elif fld in ('keypad_errors', 'card_reader_errors', 'app_crashes'):
                if self.cnt[fld] or r.random() < 0.4:
                    rec[fld] = self.cnt[fld]
        if reason and vp['reboot']:
            rec['reboot'] = reason
        if vp['ver']:
            for tu, field, val in self.ver_changes:
                if prev < tu + 60 <= t + 60 and tu <= t:
                    rec[field] = val
        for k in self.cnt:
            self.cnt[k] = 0
        self.last_hb = t
        self.emit(t, rec)
        if r.random() < 0.006:
            dup = dict(rec)
            g.out.append((t, g.next_seq(), dup))

    # -- drive --------------------------------------------------------------
    def run(self):
        g, T, r = self.g, self.T, self.r
        self.sim_minutes()
        # heartbeats
        hb = self.vp['hb']
        if T['vendor'] == 'spectra' and r.random() < 0.3:
            hb = None          # some report nothing at all
        if hb:
            t = g.W0 - r.uniform(0, hb)
            while t < g.W1:
                if t >= g.W0:
                    self.push(t, 'hb', None)
                t += hb * r.uniform(0.95, 1.06)
        # transaction arrivals (thinned Poisson)
        seg = T['seg']
        base = SEGMENTS[seg]['rate'] * T['act_mult']
        lam = base * 5.0 / H
        t = g.W0
        while True:
            t += r.expovariate(lam)
            if t >= g.W1:
                break
            rate = base * seg_rate_mult(seg, local_hour(t)) / H
            if r.random() < rate / lam:
                self.push(t, 'new', None)
        for (t, sym, f, ctx) in self.local:
            self.push(t, 'local', (sym, f, ctx))
        self.running = True
        while self.heap:
            t, _, kind, payload = heapq.heappop(self.heap)
            if t >= g.W1:
                continue
            if kind == 'hb':
                self.heartbeat(t)
            elif kind == 'new':
                if self.is_down(t) or t < getattr(self, 'pause_until', 0):
                    continue
                self.attempt(t, self.new_request(t))
            elif kind == 'txn':
                self.attempt(t, payload)
            elif kind == 'rev':
                self.reversal(t, payload)
            elif kind == 'local':
                sym, f, ctx = payload
                self.err(t, sym, f, None, **ctx)


# ---------------------------------------------------------------------------
# people: complaints, checks, resolutions
# ---------------------------------------------------------------------------
COMPLAINT_TXT = {
    'power.supply': ['下午店里几台POS都显示{code},刷不了卡,时好时坏', '机器老是自己重启,屏幕一黑又亮,显示{code}',
                     'POS一会儿断电一会儿好,店里灯也闪'],
    'power.battery': ['机器电池不耐用,天冷一会儿就关机了', '刷着卡就没电关机了,显示{code}'],
    'network.signal': ['车上刷卡总是失败,提示{code},扫码也慢', '后面包间的手持机老掉线,显示{code}'],
    'network.lan': ['POS一直显示{code},顾客只能扫手机码', '收银台的机器连不上,提示{code},路由器灯在闪'],
    'network.carrier': ['今天好多车上的机器都连不上网,显示{code}', '下午一直提示{code},信号格是满的'],
    'software.bug': ['机器升级以后老闪退,显示{code}', '昨天自动更新后,挥卡就报{code}'],
    'software.incompatible': ['今天开始交易全失败,提示{code},别的机器正常', '刷卡报{code},重启也没用'],
    'software.config': ['机器一直提示{code},店里网络是好的', '换了新机器后交易都失败,返回{code}'],
    'transmission.corruption': ['偶尔交易失败,提示{code},再刷一次又好了', '间歇性报{code},同一张卡一会儿行一会儿不行'],
    'security.keys': ['刷卡提示{code},让重新签到,签到也失败', '好几台机器都报{code} MAC错'],
    'security.certificate': ['所有交易都失败,显示{code},重启也不行', '机器开机后一直报{code},连不上'],
    'resource.storage': ['机器很卡,交易完成后报{code}', '提示{code},说存储满了'],
    'resource.memory': ['用一会儿就卡死闪退,报{code}', '机器越用越慢,经常自己重启'],
    'resource.cpu': ['机器特别慢,交易经常超时{code}', '手持机发烫,交易一直转圈'],
    'hardware.keypad': ['密码键盘按了没反应,顾客输密码总是错', '按键不灵,总提示{code}'],
    'hardware.display': ['屏幕花屏看不清,顾客不会操作', '显示屏时有时无,提示{code}'],
    'hardware.card_reader': ['插卡读不出来,只能刷磁条或扫码', '挥卡没反应,报{code}'],
    'hardware.printer': ['打印不出小票,显示{code}', '小票打印机不走纸'],
    'hardware.board': ['机器反复重启,有时提示{code}', '开机就报{code},说安全模块异常'],
    'business.merchant': ['今天所有交易都提示{code}无效商户,是不是商户被冻结了?', '商户号突然不能用了,返回{code}'],
    'business.txn_type': ['做预授权提示{code},以前没遇到', '信用卡刷不了,返回{code},借记卡可以', '退货做不了,返回{code}'],
    'business.limit': ['大额刷卡被拒,提示{code}', '下午开始所有交易都提示超限{code}'],
    'business.risk': ['交易被风控拦截,提示{code}', '大额交易总是返回{code},客户很不满'],
    'upstream.acquirer': ['刷卡一直超时,转圈很久然后失败', '交易提示{code}系统异常,扫码也不行'],
    'upstream.issuer': ['某个银行的卡都刷不了,提示{code}', '客户的卡提示{code},换别的银行卡就可以'],
    'card.decline': ['我卡里有钱却提示余额不足', '刷卡提示{code},银行说卡没问题'],
    'operator.error': ['收银员输错了金额,多扣了钱', '新来的收银员不会撤销交易'],
}
CHECKS = {
    'power.supply': [('adapter_voltage', lambda r, T: '%.1fV' % ((T['vnom'] or 5.0) * r.uniform(0.74, 0.88))),
                     ('power_strip_replaced', lambda r, T: 'ok')],
    'power.battery': [('battery_health', lambda r, T: '%d%%' % r.randint(35, 62)), ('battery_replaced', lambda r, T: 'ok')],
    'network.signal': [('signal_test', lambda r, T: '%ddBm' % (r.randint(-115, -103) if T['network'] == 'cellular' else r.randint(-91, -80)))],
    'network.lan': [('router_restarted', lambda r, T: 'ok'), ('cable_seated', lambda r, T: 'ok')],
    'network.carrier': [('sim_swap_test', lambda r, T: 'ok'), ('carrier_status', lambda r, T: 'degraded')],
    'software.bug': [('app_reinstall', lambda r, T: 'fail'), ('app_version', lambda r, T: T['app_now'])],
    'software.incompatible': [('host_handshake_test', lambda r, T: 'fail')],
    'software.config': [('param_check', lambda r, T: r.choice(['host_ip mismatch', 'tid mismatch', 'fail'])),
                        ('param_download', lambda r, T: 'ok')],
    'transmission.corruption': [('cable_seated', lambda r, T: 'fail'), ('loopback_test', lambda r, T: 'fail')],
    'security.keys': [('key_download', lambda r, T: 'ok'), ('sign_in', lambda r, T: 'fail')],
    'security.certificate': [('cert_check', lambda r, T: 'fail'), ('clock_check', lambda r, T: 'fail')],
    'resource.storage': [('storage_cleanup', lambda r, T: 'ok')],
    'resource.memory': [('app_restart', lambda r, T: 'ok')],
    'resource.cpu': [('background_apps', lambda r, T: '%d running' % r.randint(3, 9))],
    'hardware.keypad': [('keypad_test', lambda r, T: 'fail')],
    'hardware.display': [('display_test', lambda r, T: 'fail')],
    'hardware.card_reader': [('card_reader_test', lambda r, T: 'fail'), ('reader_cleaned', lambda r, T: 'ok')],
    'hardware.printer': [('paper_loaded', lambda r, T: 'ok'), ('printer_test', lambda r, T: 'fail')],
    'hardware.board': [('board_inspection', lambda r, T: 'fail')],
    'operator.error': [('cashier_training', lambda r, T: 'ok')],
    'business.merchant': [('merchant_status', lambda r, T: 'frozen')],
    'business.txn_type': [('txn_permissions', lambda r, T: 'fail')],
    'business.limit': [('limit_config', lambda r, T: 'fail')],
    'business.risk': [('risk_rule_hit', lambda r, T: r.choice(['R207', 'R113', 'R340']))],
    'upstream.acquirer': [('host_status', lambda r, T: 'fail')],
    'upstream.issuer': [('issuer_status', lambda r, T: 'fail')],
}
RESOLUTION_NOTES = {
    'power.supply': '电源不稳,更换插排/稳压后恢复 / unstable mains, fixed at the supply',
    'power.battery': '电池老化,更换电池 / worn battery replaced',
    'network.signal': '信号弱,调整位置或更换天线 / weak signal at the terminal',
    'network.lan': '路由器重启后恢复 / recovered after router restart',
    'network.carrier': '运营商区域故障已恢复 / operator outage cleared',
    'software.bug': '版本缺陷,已回退/修复 / release defect, rolled back',
    'software.incompatible': '升级到主机支持的版本 / upgraded to a version the host accepts',
    'software.config': '重新下发正确参数 / parameters corrected',
    'transmission.corruption': '更换网线/串口线 / cable replaced',
    'security.keys': '重新灌装密钥并签到 / keys re-injected, signed in',
    'security.certificate': '更新证书/校准时钟 / certificate renewed or clock fixed',
    'resource.storage': '清理流水文件 / storage cleaned',
    'resource.memory': '应用内存泄漏,重启并升级 / memory exhausted, app restarted',
    'resource.cpu': '关闭后台应用 / background load removed',
    'hardware.keypad': '更换键盘膜 / keypad replaced',
    'hardware.display': '更换屏幕 / display replaced',
    'hardware.card_reader': '更换读卡模块 / reader replaced',
    'hardware.printer': '装纸/更换打印机 / paper loaded or printer replaced',
    'hardware.board': '主板返修 / board repaired',
    'operator.error': '收银员培训 / cashier retrained',
    'business.merchant': '商户状态已恢复 / merchant status restored',
    'business.txn_type': '开通交易权限 / transaction type enabled',
    'business.limit': '调整限额 / limit adjusted',
    'business.risk': '风控解除 / risk hold released',
    'upstream.acquirer': '收单主机恢复 / acquirer host recovered',
    'upstream.issuer': '发卡行恢复 / issuer recovered',
}


class Generator:
    def __init__(self, seed):
        self.seed = seed
        rng = random.Random('%s|%d|world' % (GEN, seed))
        day0 = dt.datetime(2026, 12, 1, tzinfo=CST) + dt.timedelta(days=rng.randint(0, 80))
        start_h = rng.choice([9, 10, 10, 11])
        self.W0 = int((day0 + dt.timedelta(hours=start_h)).timestamp())
        self.W1 = self.W0 + 6 * H
        self.M0 = self.W0 - 3 * H
        self.NM = int((self.W1 + 20 * MIN - self.M0) // 60)
        self.rng = rng
        self.seq = 0
        self.out = []
        self.truth_events = []
        self.maint = []
        self.world = World(seed, rng, self.W0, self.W1)

    def next_seq(self):
        self.seq += 1
        return self.seq

    def run(self):
        w, rng = self.world, self.rng
        w.build()
        for t in w.terms:
            t['act_mult'] = rng.uniform(0.55, 1.5)
        self.host_currency = {h: ('156' if rng.random() < 0.35 else 'CNY') for h in sorted(HOSTS)}
        self.mcc_jump = {}
        if rng.random() < 0.7:
            m = rng.choice([m for m in w.merchants if m['seg'] in ('wholesale', 'conv', 'pharmacy')])
            self.mcc_jump[m['merchant_id']] = rng.choice(['5812', '7011', '5311'])
        pl = Planner(w, self.seed)
        faults = pl.plan()
        self.faults = faults
        self.excluded = pl.excluded
        self.bg_decline = Fault('F%02d-BG1' % (self.seed % 100), 'card.decline', 'background', {'fleet': 'all'})
        self.bg_oper = Fault('F%02d-BG2' % (self.seed % 100), 'operator.error', 'background', {'fleet': 'all'})
        # versions at inventory time / start
        inv_t = self.W0 - 2 * H
        for t in w.terms:
            t['fw_now'], t['app_now'] = t['fw'], t['app']
            for (tu, field, val, f, note) in sorted(pl.updates.get(t['tid'], []), key=lambda u: u[0]):
                if tu < inv_t:
                    if field == 'firmware':
                        t['fw_now'] = val
                    elif field == 'app_version':
                        t['app_now'] = val
        self.inv_t = inv_t
        by_term = {}
        gfaults = []
        for f in faults:
            if f.g_eps:
                gfaults.append(f)
            for tid in f.eps:
                by_term.setdefault(tid, []).append(f)
        self.sims = {}
        for t in w.terms:
            ups = [u for u in pl.updates.get(t['tid'], []) if u[0] >= inv_t]
            s = TermSim(self, t, by_term.get(t['tid'], []), gfaults, ups)
            s.run()
            self.sims[t['tid']] = s
        self.people()
        self.inventory()
        for (tu, tid, action, note) in self.maint:
            rec = {'kind': 'maintenance', 'ts': None, 'terminal_id': tid, 'action': action}
            if note:
                rec['notes'] = note
            self.put(tu, rec)

    def put(self, t, rec, local=False):
        if t < self.W0 - 3 * H or t >= self.W1:
            return
        rec['ts'] = ts_l(t) if local else ts_z(t)
        self.out.append((t, self.next_seq(), rec))

    def inventory(self):
        w, r = self.world, self.rng
        t0 = self.inv_t
        for m in w.merchants:
            rec = {'kind': 'merchant', 'ts': None, 'merchant_id': m['merchant_id'], 'name': m['name'],
                   'mcc': m['mcc'], 'city': m['city'], 'settlement': m['settlement'], 'card_rate': m['card_rate'],
                   'qr_rate': m['qr_rate']}
            self.put(t0, rec)
        for s in w.sites:
            rec = {'kind': 'site', 'ts': None, 'site_id': s['site_id'], 'merchant_id': s['merchant_id'],
                   'name': s['name'], 'city': s['city'], 'lat': s['lat'], 'lon': s['lon']}
            self.put(t0, rec)
        for t in w.terms:
            rec = {'kind': 'terminal', 'ts': None, 'terminal_id': t['tid'], 'serial': t['serial'],
                   'vendor': t['vendor'], 'model': t['model'], 'firmware': t['fw_now'], 'app_version': t['app_now'],
                   'merchant_id': t['merchant'], 'site_id': t['site'], 'network': t['network']}
            if t['carrier']:
                rec['carrier'] = t['carrier']
            rec['host'] = t['host']
            rec['cert_not_after'] = ts_z(t['cert_not_after'])
            rec['installed'] = ts_z(t['installed'])[:10]
            for k in ('serial', 'cert_not_after', 'installed', 'app_version'):
                if r.random() < 0.04:
                    rec.pop(k, None)
            self.put(t0 + 1, rec)

    def people(self):
        r = random.Random('%s|%d|people' % (GEN, self.seed))
        w = self.world
        W0, W1 = self.W0, self.W1
        cc = 0
        # routine morning checks by staff (A7 daily maintenance)
        for t in w.terms:
            if r.random() < 0.22:
                tm = W0 + r.uniform(0, 45) * MIN
                note = r.choice(['电源、键盘、屏幕正常', '日常检查正常', 'daily check ok', '清洁读卡槽'])
                s = self.sims[t['tid']]
                act = s.active(tm)
                if 'hardware.keypad' in act and r.random() < 0.5:
                    note = '键盘个别按键偶尔无反应'
                elif 'hardware.display' in act and r.random() < 0.5:
                    note = '屏幕偶尔闪烁'
                elif 'hardware.printer' in act and r.random() < 0.5:
                    note = '打印机纸少/打印浅'
                self.maint.append((tm, t['tid'], 'daily_check', note))
            elif r.random() < 0.02:
                self.maint.append((W0 + r.uniform(0, 6) * H, t['tid'], 'weekly_clean', '清洁读卡器和键盘'))
        for f in self.faults + [self.bg_decline, self.bg_oper]:
            if not f.hits or f.first_hit is None:
                continue
            t1, tid1 = f.first_hit
            T = w.by_tid[tid1]
            fam = f.cause
            shared = len(f.hits) > 1
            # complaint
            pc = 0.75 if fam.startswith('business') else (0.65 if shared else 0.35)
            if fam == 'card.decline':
                pc = 1.0
            if fam == 'operator.error' and f.variant == 'background':
                pc = 0.0
            n = 1 if fam != 'card.decline' else r.randint(2, 4)
            for k in range(n):
                if r.random() >= pc:
                    continue
                tc = t1 + r.uniform(8, 50) * MIN
                who = tid1
                if fam == 'card.decline' or shared:
                    who = r.choice(sorted(f.hits))
                if tc >= W1:
                    continue
                Tw = w.by_tid[who]
                cc += 1
                code = f.first_code or 'E1'
                if fam == 'card.decline':
                    code = r.choice(['51', '55', '05'])
                rec = {'kind': 'complaint', 'ts': None, 'complaint_id': 'C-%d%04d' % (self.seed % 100, cc),
                       'from': 'customer' if fam in ('card.decline',) or (fam == 'operator.error' and r.random() < 0.5) else 'merchant',
                       'merchant_id': Tw['merchant']}
                if r.random() < 0.7:
                    rec['terminal_id'] = who
                rec['text'] = r.choice(COMPLAINT_TXT[fam]).format(code=code)
                self.put(tc, rec)
            if f.variant == 'background':
                continue
            # a technician's check (observations, not labels)
            if r.random() < 0.5:
                tc = t1 + r.uniform(25, 150) * MIN
                if f.end is not None and f.cause in ('network.lan',) and f.end < W1:
                    tc = f.end - r.uniform(0, 60)
                if W0 <= tc < W1:
                    name, fn = r.choice(CHECKS[fam])
                    rec = {'kind': 'check', 'ts': None}
                    if 'site_id' in f.scope:
                        rec['site_id'] = f.scope['site_id']
                    else:
                        rec['terminal_id'] = tid1
                    rec['name'] = name
                    rec['result'] = fn(r, T)
                    self.put(tc, rec)
            # a confirmed resolution after the fault ended
            if f.end is not None and f.end < W1 - 5 * MIN and r.random() < 0.35:
                tr = f.end + r.uniform(2, 25) * MIN
                if tr < W1:
                    rec = {'kind': 'resolution', 'ts': None}
                    if 'site_id' in f.scope:
                        rec['site_id'] = f.scope['site_id']
                    else:
                        rec['terminal_id'] = tid1
                    rec['cause'] = f.cause
                    rec['notes'] = RESOLUTION_NOTES[f.cause]
                    self.put(tr, rec)
        # noise: routine checks that found nothing
        for k in range(r.randint(8, 20)):
            T = r.choice(w.terms)
            name = r.choice(['adapter_voltage', 'cable_seated', 'paper_loaded', 'signal_test', 'keypad_test'])
            res = 'ok'
            if name == 'adapter_voltage':
                res = '%.1fV' % ((T['vnom'] or 5.0) * r.uniform(0.98, 1.03))
            elif name == 'signal_test':
                res = '%ddBm' % (T.get('rssi_base') or -60)
            rec = {'kind': 'check', 'ts': None, 'terminal_id': T['tid'], 'name': name, 'result': res}
            self.put(W0 + r.uniform(0, 6) * H, rec)

    # -- output -------------------------------------------------------------
    def write(self, outdir):
        os.makedirs(outdir, exist_ok=True)
        r = random.Random('%s|%d|noise' % (GEN, self.seed))
        keyed = []
        for (t, seq, rec) in self.out:
            k = t
            if rec['kind'] in ('telemetry', 'error', 'txn') and r.random() < 0.004:
                k = t + r.uniform(3, 50)      # arrives late: slightly out of order
            keyed.append((k, seq, rec))
        keyed.sort(key=lambda x: (x[0], x[1]))
        with open(os.path.join(outdir, 'records.jsonl'), 'w', encoding='utf-8') as fh:
            for _, _, rec in keyed:
                fh.write(json.dumps(rec, ensure_ascii=False, separators=(',', ':')) + '\n')
        tr = []
        w = self.world
        for f in self.faults + [self.bg_decline, self.bg_oper]:
            if f.variant == 'background':
                if not f.hits:
                    continue
                start, end = self.W0, self.W1
                terms = sorted(f.hits)
            else:
                start, end = f.start, f.end
                if start is None or end is None:
                    start, end = f.span()
                if f.cause == 'upstream.issuer':
                    terms = sorted(f.hits)
                else:
                    terms = sorted(f.eps)
            rec = {'kind': 'truth', 'fault_id': f.fid, 'cause': f.cause, 'scope': f.scope, 'terminals': terms,
                   'start': ts_z(start), 'end': ts_z(end), 'variant': f.variant,
                   'events': sum(f.hits.values())}
            tr.append(rec)
        with open(os.path.join(outdir, 'truth.jsonl'), 'w', encoding='utf-8') as fh:
            for rec in tr:
                fh.write(json.dumps(rec, ensure_ascii=False, separators=(',', ':')) + '\n')
            for _, _, te in sorted(self.truth_events, key=lambda x: (x[0], x[1])):
                fh.write(json.dumps(te, ensure_ascii=False, separators=(',', ':')) + '\n')
        return len(keyed), len(tr), len(self.truth_events)


def main():
    ap = argparse.ArgumentParser(description='gen14: northern-China POS fleet simulator (posdoc format v1)')
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    g = Generator(a.seed)
    g.run()
    n, nf, ne = g.write(a.out)
    print('seed %d: %d records, %d faults (incl. background), %d failed events -> %s' % (a.seed, n, nf, ne, a.out))


if __name__ == '__main__':
    main()
