#!/usr/bin/env python3
"""blindgen - an independent test-data generator for posdoc record format v1.

Written only from the public contract (FORMAT.md) and the product digest.
Builds a Chinese POS fleet (merchants, sites, terminals), simulates a few hours
of heartbeats, transactions, terminal errors and maintenance, and injects
faults through their physics (voltage, links, hosts, issuers, versions, keys,
merchant configuration, hardware wear ...).  The labels go to a separate
truth file: one `truth` per injected fault and one `truth_event` per failed
event (every `error` record and every failed `txn`).

    python3 gen.py --seed N --out DIR [--hours 6] [--terminals 300] [--faults 20]

stdlib only; deterministic per seed.
"""
import argparse
import calendar
import heapq
import json
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict
from statistics import NormalDist

DAY = 86400
RATE_SCALE = 1.3
CST = 8 * 3600          # China Standard Time offset
APPROVED = ('00',)


def iso(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(int(t)))


def lhour(t):
    return ((t + CST) % DAY) / 3600.0


def wchoice(rng, items, weights):
    x = rng.random() * sum(weights)
    for it, w in zip(items, weights):
        x -= w
        if x < 0:
            return it
    return items[-1]


def in_iv(ivs, t):
    for s, e in ivs:
        if s <= t < e:
            return True
    return False


class SafeDict(dict):
    def __missing__(self, k):
        return '?'


# ---------------------------------------------------------------------------
# World tables
# ---------------------------------------------------------------------------

# name, admin area code (used in MID/TID), site prefix, lat, lon, districts
CITIES = [
    ('shenzhen', '4403', 'SZ', 22.54, 114.06, ['福田', '南山', '罗湖', '宝安', '龙华']),
    ('guangzhou', '4401', 'GZ', 23.13, 113.26, ['天河', '越秀', '海珠', '番禺', '白云']),
    ('shanghai', '3100', 'SH', 31.23, 121.47, ['浦东', '徐汇', '静安', '黄浦', '闵行']),
    ('beijing', '1100', 'BJ', 39.90, 116.40, ['朝阳', '海淀', '东城', '西城', '丰台']),
    ('hangzhou', '3301', 'HZ', 30.27, 120.15, ['西湖', '上城', '拱墅', '滨江', '萧山']),
    ('chengdu', '5101', 'CD', 30.57, 104.07, ['锦江', '武侯', '青羊', '成华', '高新']),
    ('wuhan', '4201', 'WH', 30.59, 114.30, ['江汉', '武昌', '洪山', '江岸', '汉阳']),
    ('nanjing', '3201', 'NJ', 32.06, 118.80, ['鼓楼', '玄武', '秦淮', '建邺', '江宁']),
]

# txn/h per terminal at peak, median amount (fen), lognormal sigma,
# channel weights (card_ic, card_swipe, nfc, qr), traffic profile,
# terminals per site, share of mobile (battery) terminals, opening hours sets
CATS = {
    'restaurant': dict(mcc='5812', names=['面馆', '酒家', '火锅', '餐厅', '茶餐厅'], rate=24, med=12000, sig=0.7,
                       ch=(0.30, 0.03, 0.17, 0.50), prof='meal', nt=(2, 4), mobile=0.6,
                       hours=[[(10.5, 14.5), (16.5, 22.0)], [(10.0, 22.0)], [(11.0, 14.0), (17.0, 21.5)]]),
    'fastfood': dict(mcc='5814', names=['快餐', '粉店', '奶茶', '饺子馆'], rate=34, med=3500, sig=0.5,
                     ch=(0.15, 0.02, 0.23, 0.60), prof='meal', nt=(1, 3), mobile=0.3,
                     hours=[[(7.0, 22.0)], [(9.5, 21.5)]]),
    'breakfast': dict(mcc='5814', names=['早餐店', '包子铺', '豆浆店'], rate=40, med=1500, sig=0.5,
                      ch=(0.08, 0.01, 0.11, 0.80), prof='morning', nt=(1, 2), mobile=0.5,
                      hours=[[(6.0, 10.5)], [(6.0, 13.0)]]),
    'supermarket': dict(mcc='5411', names=['超市', '生活超市', '量贩'], rate=40, med=9000, sig=0.8,
                        ch=(0.35, 0.03, 0.17, 0.45), prof='retail', nt=(3, 8), mobile=0.1,
                        hours=[[(8.0, 22.0)], [(7.5, 22.5)]]),
    'market': dict(mcc='5499', names=['生鲜店', '水果店', '菜市场'], rate=30, med=3000, sig=0.6,
                   ch=(0.10, 0.02, 0.08, 0.80), prof='morning', nt=(1, 3), mobile=0.5,
                   hours=[[(6.0, 13.5)], [(6.0, 12.0), (15.0, 19.0)]]),
    'convenience': dict(mcc='5499', names=['便利店', '烟酒店'], rate=18, med=2500, sig=0.7,
                        ch=(0.15, 0.02, 0.18, 0.65), prof='flat', nt=(1, 2), mobile=0.2,
                        hours=[[(0.0, 24.0)], [(7.0, 23.0)]]),
    'department': dict(mcc='5311', names=['百货', '商场'], rate=14, med=45000, sig=0.9,
                       ch=(0.55, 0.03, 0.17, 0.25), prof='retail', nt=(3, 6), mobile=0.2,
                       hours=[[(10.0, 22.0)]]),
    'electronics': dict(mcc='5732', names=['数码', '手机店', '电器'], rate=6, med=280000, sig=0.8,
                        ch=(0.60, 0.05, 0.15, 0.20), prof='retail', nt=(1, 3), mobile=0.3,
                        hours=[[(10.0, 21.5)]]),
    'jewelry': dict(mcc='5944', names=['珠宝', '金店'], rate=4, med=800000, sig=0.8,
                    ch=(0.70, 0.05, 0.10, 0.15), prof='retail', nt=(1, 3), mobile=0.3,
                    hours=[[(10.0, 21.0)]]),
    'pharmacy': dict(mcc='5912', names=['大药房', '药店'], rate=14, med=6000, sig=0.7,
                     ch=(0.40, 0.03, 0.12, 0.45), prof='flat', nt=(1, 2), mobile=0.2,
                     hours=[[(8.0, 22.0)], [(0.0, 24.0)]]),
    'hotel': dict(mcc='7011', names=['酒店', '宾馆'], rate=7, med=45000, sig=0.6,
                  ch=(0.65, 0.05, 0.15, 0.15), prof='hotel', nt=(2, 3), mobile=0.3,
                  hours=[[(0.0, 24.0)]]),
    'gas': dict(mcc='5541', names=['加油站'], rate=25, med=30000, sig=0.4,
                ch=(0.45, 0.05, 0.15, 0.35), prof='flat', nt=(2, 4), mobile=0.4,
                hours=[[(0.0, 24.0)]]),
    'clothing': dict(mcc='5691', names=['服饰', '鞋店'], rate=8, med=38000, sig=0.7,
                     ch=(0.45, 0.03, 0.17, 0.35), prof='retail', nt=(1, 3), mobile=0.3,
                     hours=[[(10.0, 22.0)]]),
    'furniture': dict(mcc='5712', names=['家居', '家具城'], rate=2.5, med=600000, sig=0.9,
                      ch=(0.70, 0.05, 0.10, 0.15), prof='retail', nt=(1, 2), mobile=0.2,
                      hours=[[(9.5, 18.0)]]),
}
CAT_W = {'restaurant': 14, 'fastfood': 9, 'breakfast': 4, 'supermarket': 7, 'market': 4, 'convenience': 9,
         'department': 3, 'electronics': 4, 'jewelry': 3, 'pharmacy': 6, 'hotel': 4, 'gas': 3,
         'clothing': 7, 'furniture': 2}
CHAINABLE = ['restaurant', 'fastfood', 'supermarket', 'convenience', 'pharmacy', 'clothing', 'gas', 'hotel',
             'department']
BRANDS = ['老街', '金辉', '鑫源', '福满', '好又多', '百味', '阿香', '华联', '新乐', '顺发', '喜来', '恒泰', '佳美',
          '德兴', '永和', '天天', '东方', '如意', '龙门', '同仁', '万家', '惠民', '益丰', '大参林', '周记', '湘味',
          '川香', '粤港', '明珠', '兴隆', '利群', '合家欢', '小肥羊', '金樽', '悦来', '乐购']

PROFILES = {
    'meal': [0, 0, 0, 0, 0, 0, .10, .20, .25, .25, .35, .90, 1.0, .75, .35, .20, .25, .60, 1.0, .90, .55, .35, .20, .10],
    'morning': [0, 0, 0, 0, 0, .20, .80, 1.0, .90, .60, .40, .35, .35, .30, .25, .25, .30, .35, .30, .20, .10, .05, 0, 0],
    'retail': [.05, .03, .02, .02, .02, .05, .10, .20, .30, .40, .50, .60, .65, .60, .60, .65, .75, .85, 1.0, 1.0, .90, .70, .40, .15],
    'flat': [.15, .10, .08, .08, .10, .20, .40, .60, .70, .70, .75, .85, .90, .80, .75, .75, .80, .90, 1.0, .90, .80, .60, .40, .25],
    'hotel': [.10, .05, .05, .05, .05, .10, .30, .60, .80, .70, .60, .80, 1.0, 1.0, .80, .70, .70, .80, .90, .80, .60, .50, .40, .20],
}

# issuer, share, BINs
BANKS = [
    ('icbc', 18, ['622202', '621226', '622208', '625330']),
    ('ccb', 16, ['621700', '436742', '622700', '625362']),
    ('abc', 13, ['622848', '622845', '621282']),
    ('boc', 11, ['621661', '456351', '601382']),
    ('bocom', 6, ['622260', '622262']),
    ('cmb', 9, ['622588', '621483', '410062']),
    ('psbc', 7, ['621799', '622150']),
    ('cib', 5, ['622909', '622908']),
    ('spdb', 4, ['622521', '622518']),
    ('citic', 4, ['622690', '433670']),
    ('cmbc', 4, ['622622', '415599']),
    ('ceb', 3, ['622660', '622663']),
]
BANK_NAMES = {'icbc': '工行', 'ccb': '建行', 'abc': '农行', 'boc': '中行', 'bocom': '交行', 'cmb': '招行',
              'psbc': '邮储', 'cib': '兴业', 'spdb': '浦发', 'citic': '中信', 'cmbc': '民生', 'ceb': '光大'}

CARRIERS = (('cmcc', 50), ('unicom', 30), ('telecom', 20))
APP_VERSIONS = (('5.0.8', 10), ('5.1.0', 28), ('5.1.2', 47), ('5.2.0', 15))
APP_NEXT = '5.3.0'
OLD_APP = '5.0.8'

# Semantic error keys -> stage
STAGE = {
    'COMM_CONN': 'connect', 'COMM_RECV': 'receive', 'TLS': 'tls', 'MAC': 'mac', 'KEY_MISSING': 'mac',
    'CARD_READ': 'card_read', 'PIN_PAD': 'pin', 'PAPER_OUT': 'print', 'PRINTER_FAULT': 'print',
    'POWER_ON': 'power_on', 'LOW_BATT': 'app', 'APP_CRASH': 'app', 'STORAGE': 'app', 'MEMORY': 'app',
    'BUSY': 'app', 'DISPLAY': 'app', 'BOARD': 'power_on', 'CONFIG': 'app', 'PACKET': 'receive',
    'OP_CANCEL': 'app', 'OP_INPUT': 'app', 'OP_CARD': 'card_read',
}
KEYS = list(STAGE)


def _codes(lst):
    return dict(zip(KEYS, lst))


# Each vendor has its own display codes.  Deliberate collisions: "E1" is a
# comms failure on pax, a terminal-state error (power-on / board / comm module)
# on xgd, printer paper-out on landi and a certificate/security failure on centerm.
VENDOR_CODES = {
    'pax': _codes(['E1', 'E1', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9', 'E10', 'E11', 'E12', 'E13', 'E14',
                   'E15', 'E16', 'E17', 'E18', 'E2', 'E20', 'E21', 'E22']),
    'xgd': _codes(['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9', 'E1', 'EA', 'EB', 'EC', 'ED', 'EE',
                   'EF', 'E1', 'E10', 'E11', 'E20', 'E21', 'E22']),
    'landi': _codes(['C01', 'C02', 'S03', 'S01', 'S02', 'R01', 'K01', 'E1', 'E2', 'P01', 'P02', 'A99', 'M01',
                     'M02', 'A10', 'D01', 'H01', 'A05', 'C05', 'U01', 'U02', 'U03']),
    'centerm': _codes(['E5', 'E6', 'E1', 'E2', 'E3', 'E7', 'E8', 'E10', 'E11', 'E12', 'E13', 'E14', 'E15',
                       'E16', 'E17', 'E18', 'E19', 'E20', 'E9', 'E30', 'E31', 'E32']),
    'newland': _codes(['ERR-07', 'ERR-08', 'ERR-21', 'ERR-31', 'ERR-32', 'ERR-12', 'ERR-15', 'ERR-40',
                       'ERR-41', 'ERR-50', 'ERR-51', 'ERR-60', 'ERR-61', 'ERR-62', 'ERR-63', 'ERR-70',
                       'ERR-71', 'ERR-80', 'ERR-09', 'ERR-90', 'ERR-91', 'ERR-92']),
    'sunmi': _codes(['网络连接失败', '交易超时', '证书校验失败', 'MAC校验错误', '密钥未下载', '读卡失败',
                     '密码键盘异常', '打印机缺纸', '打印机故障', '电压异常', '电量过低', '应用无响应',
                     '存储空间不足', '内存不足', '系统繁忙', '屏幕异常', '硬件故障', '参数错误', '数据校验失败',
                     '交易已取消', '金额输入错误', '请插入芯片卡']),
    'verifone': _codes(['1101', '1102', '1201', '1301', '1302', '1401', '1402', '1501', '1502', '1601', '1602',
                        '1701', '1702', '1703', '1704', '1801', '1802', '1901', '1103', '2001', '2002', '2003']),
    'ingenico': _codes(['E01', 'E02', 'E05', 'E06', 'E07', 'E10', 'E11', 'E20', 'E21', 'E30', 'E31', 'E40',
                        'E41', 'E42', 'E43', 'E50', 'E51', 'E60', 'E03', 'E70', 'E71', 'E72']),
}

# models: (name, form, has_battery, nominal supply volts)
VENDORS = {
    'pax': dict(w=22, models=[('S300', 'desk', 0, 12.0), ('S90', 'desk', 0, 9.0), ('A920', 'mobile', 1, 5.0)],
                fw=['V3.1.8', 'V3.2.0'], fw_next='V3.3.0', tele=60, tmo=60000, err_tmo=1.0, stage=True,
                lang='en', pwr_log=0.0,
                fields='online latency_ms packet_loss supply_v battery_pct rssi_dbm storage_used_pct '
                       'memory_used_pct key_check printer app_crashes power_events'),
    'newland': dict(w=18, models=[('N910', 'mobile', 1, 5.0), ('ME31', 'desk', 0, 9.0), ('SP630', 'desk', 0, 12.0)],
                    fw=['2.8.1', '2.8.3'], fw_next='2.9.0', tele=30, tmo=60000, err_tmo=0.9, stage=True,
                    lang='mix', pwr_log=0.5,
                    fields='online rssi_dbm latency_ms battery_pct cpu_pct memory_used_pct temp_c '
                           'card_reader_errors'),
    'landi': dict(w=15, models=[('A8', 'mobile', 1, 5.0), ('P960', 'mobile', 1, 5.0), ('E550', 'desk', 0, 12.0)],
                  fw=['L5.0.3', 'L5.1.0'], fw_next='L5.2.0', tele=120, tmo=45000, err_tmo=1.0, stage=True,
                  lang='zh', pwr_log=0.7,
                  fields='online latency_ms supply_v power_events printer keypad_errors storage_used_pct key_check'),
    'centerm': dict(w=10, models=[('C960F', 'desk', 0, 9.0), ('K9', 'mobile', 1, 5.0), ('MF919', 'desk', 0, 12.0)],
                    fw=['CT1.4.2', 'CT1.5.0'], fw_next='CT1.6.0', tele=90, tmo=60000, err_tmo=0.8, stage=True,
                    lang='mix', pwr_log=0.3,
                    fields='online rssi_dbm latency_ms packet_loss clock_skew_s key_check cpu_pct memory_used_pct '
                           'app_crashes'),
    'sunmi': dict(w=15, models=[('P2', 'mobile', 1, 5.0), ('P2 Pro', 'mobile', 1, 5.0), ('T2', 'desk', 0, 24.0)],
                  fw=['S4.2.1', 'S4.2.3'], fw_next='S4.3.0', tele=60, tmo=60000, err_tmo=1.0, stage=True,
                  lang='zh', pwr_log=0.2,
                  fields='online battery_pct rssi_dbm cpu_pct memory_used_pct storage_used_pct temp_c app_crashes '
                         'latency_ms printer'),
    'verifone': dict(w=5, models=[('VX520', 'desk', 0, 9.0), ('VX680', 'mobile', 1, 5.0), ('X990', 'mobile', 1, 5.0)],
                     fw=['VX-5.0.6', 'VX-5.1.2'], fw_next='VX-5.2.0', tele=300, tmo=30000, err_tmo=0.5, stage=False,
                     lang='en', pwr_log=0.3,
                     fields='online latency_ms supply_v key_check printer card_reader_errors keypad_errors'),
    'ingenico': dict(w=5, models=[('iCT250', 'desk', 0, 12.0), ('iWL250', 'mobile', 1, 5.0),
                                  ('Move5000', 'mobile', 1, 5.0)],
                     fw=['T3-11.16', 'T3-11.20'], fw_next='T3-12.02', tele=180, tmo=45000, err_tmo=0.7, stage=False,
                     lang='en', pwr_log=0.3,
                     fields='online latency_ms packet_loss memory_used_pct storage_used_pct printer key_check '
                            'clock_skew_s card_reader_errors'),
    'xgd': dict(w=10, models=[('K300', 'desk', 0, 9.0), ('N5', 'mobile', 1, 5.0), ('G3', 'desk', 0, 12.0)],
                fw=['X1.2.7', 'X1.3.0'], fw_next='X1.4.0', tele=45, tmo=60000, err_tmo=1.0, stage=True,
                lang='zh', pwr_log=0.9,
                fields='online supply_v power_events rssi_dbm battery_pct temp_c storage_used_pct'),
}
for _v in VENDORS.values():
    _v['fields'] = _v['fields'].split()

# Raw log lines: (english, chinese) templates per key
DETAIL = {
    'COMM_CONN': (['[COMM] connect {ip} failed: timeout', '[NET] socket connect {ip} errno=110'],
                  ['连接主机失败 {ip}', '网络连接失败,请检查网络设置']),
    'COMM_RECV': (['[COMM] recv timeout after {tmo}ms stan={stan}', '[COMM] no response from host, reversal queued'],
                  ['接收超时', '接收应答超时,交易将冲正']),
    'TLS': (['[SSL] handshake failed: certificate verify failed', '[SSL] TLS alert received: bad_certificate'],
            ['证书校验失败', 'SSL握手失败']),
    'MAC': (['[SEC] response MAC verify failed', '[SEC] MAC mismatch rc={rc}'], ['MAC校验错', '应答报文MAC校验失败']),
    'KEY_MISSING': (['[SEC] working key not loaded, please sign on', '[SEC] MAK/PIK absent, logon required'],
                    ['工作密钥不存在,请先签到', '密钥未下载,签到失败']),
    'CARD_READ': (['[EMV] ICC power-on failed (ATR timeout)', '[CARD] read card error slot=0'],
                  ['IC卡上电失败', '读卡失败,请重新插卡']),
    'PIN_PAD': (['[PED] error -3021: key scan failed', '[PED] pinpad no response'], ['密码键盘故障', '密码输入异常']),
    'PAPER_OUT': (['[PRN] status=0x02 paper empty', '[PRN] paper out'], ['打印机缺纸', '请装纸']),
    'PRINTER_FAULT': (['[PRN] status=0x08 head overheat/cutter jam', '[PRN] printer fault'],
                      ['打印机故障', '打印头过热']),
    'POWER_ON': (['[SYS] power-on self test: supply voltage abnormal {v}V', '[SYS] brown-out reset detected'],
                 ['终端状态错误: 电压异常', '上电自检: 电源电压不稳 {v}V']),
    'LOW_BATT': (['[PWR] battery low {bat}%, transaction refused', '[PWR] unexpected power off, battery {bat}%'],
                 ['电量不足,请充电后交易', '电池电量低 {bat}%']),
    'APP_CRASH': (['[APP] pay {ver} crashed: SIGSEGV in emv_proc', '[APP] ANR: com.pos.pay not responding'],
                  ['支付应用异常退出 {ver}', '应用无响应,已重启']),
    'STORAGE': (['[DB] batch store full, settle first', '[FS] ENOSPC writing txn journal'],
                ['交易存储已满,请先结算', '存储空间不足']),
    'MEMORY': (['[SYS] out of memory, alloc {kb}KB failed', '[SYS] lowmemorykiller: killed pay app'],
               ['内存不足', '系统内存不足,应用被关闭']),
    'BUSY': (['[SYS] system busy cpu={cpu}%', '[APP] task queue overflow, timeout'], ['系统繁忙,请稍后', '处理超时']),
    'DISPLAY': (['[LCD] controller not responding', '[LCD] display init failed'], ['屏幕显示异常', 'LCD驱动异常']),
    'BOARD': (['[SYS] hardware self-test failed 0x{hx}', '[SYS] board sensor fault'],
              ['终端状态错误: 硬件自检失败', '主板异常 0x{hx}']),
    'CONFIG': (['[CFG] terminal parameter error', '[CFG] invalid parameters, please download'],
               ['参数错误', '终端参数异常,请重新下载参数']),
    'PACKET': (['[ISO] unpack error: bad length field 55', '[COMM] CRC error in response'],
               ['报文格式错误', '数据校验失败']),
    'OP_CANCEL': (['[UI] transaction cancelled by operator', '[UI] operator timeout'], ['交易已取消', '操作超时']),
    'OP_INPUT': (['[UI] invalid amount entered', '[UI] original transaction not found'],
                 ['金额输入错误', '原交易不存在']),
    'OP_CARD': (['[CARD] chip card swiped, please insert', '[CARD] card inserted wrong way'],
                ['请插入芯片卡', '请正确插卡']),
}

# Mechanism specific log lines (override the generic ones)
DET_CARRIER = (['[MODEM] PDP context activation failed cause=33', '[MODEM] +CME ERROR: 30 no network service'],
               ['拨号失败,PDP激活失败', '无线网络注册失败'])
DET_LAN = (['[NET] connect {ip} timeout, gateway unreachable', '[NET] DHCP lease failed'],
           ['网络连接失败,网关不可达', '连接超时'])
DET_SIGNAL = (['[MODEM] link lost rssi={rssi}dBm', '[NET] connect timeout, weak signal'], ['信号弱,连接失败', '网络不稳定'])
DET_CFG_HOST = (['[COMM] connect {ip} refused errno=111', '[COMM] connect {ip} failed: host unreachable'],
                ['连接主机失败 {ip}', '主机拒绝连接 {ip}'])
DET_CERT_EXP = (['[SSL] handshake failed: certificate has expired (notAfter={na})', '[SSL] X509 verify error 10: expired'],
                ['证书已过期', 'SSL握手失败,证书过期'])
DET_CERT_CLK = (['[SSL] certificate is not yet valid (local time {clk})', '[SSL] X509 verify error 9'],
                ['证书未生效,请检查终端时间', 'SSL握手失败,证书尚未生效'])
DET_INCOMPAT = (['[ISO] host rc=30, message format not accepted (app {ver})', '[HOST] unsupported terminal version'],
                ['报文格式错误,请升级程序', '终端版本不支持'])


# ---------------------------------------------------------------------------
# Inventory
# ---------------------------------------------------------------------------

class Term:
    pass


class World:
    pass


def open_intervals(hours, lo, hi):
    res = []
    d0 = int((lo + CST) // DAY) - 1
    d1 = int((hi + CST) // DAY) + 1
    for d in range(d0, d1 + 1):
        base = d * DAY - CST
        for o, c in hours:
            s, e = base + o * 3600, base + c * 3600
            if e > lo - DAY and s < hi + DAY:
                res.append([s, e])
    res.sort()
    merged = []
    for s, e in res:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def build_world(seed, n_term, hours):
    rng = random.Random(seed * 7919 + 17)
    W = World()
    W.seed = seed
    day = rng.randint(2, 27)
    start_local = rng.choice([8, 9, 10, 11])
    W.t0 = calendar.timegm((2026, 11, day, start_local - 8, 0, 0))
    W.t_end = W.t0 + int(hours * 3600)
    W.inv_ts = W.t0 - 3600
    n_cities = rng.randint(4, 6)
    W.cities = rng.sample(CITIES, n_cities)
    W.hosts = ['H%d' % i for i in range(1, rng.choice([3, 4]) + 1)]
    W.host_ip = {h: '210.%d.%d.%d:%d' % (rng.randint(10, 99), rng.randint(1, 250), rng.randint(2, 250),
                                         rng.choice([5000, 6001, 8583, 10001])) for h in W.hosts}

    n_sites = max(4, int(round(n_term / 3.0)))
    # -- merchants and sites
    merchants, sites = [], []
    mseq = Counter()

    def new_merchant(cat, city):
        C = CATS[cat]
        mseq[city[0]] += 1
        mid = '898' + city[1] + C['mcc'] + '%04d' % (mseq[city[0]] * 7 + rng.randint(0, 6))
        m = dict(merchant_id=mid, mcc=C['mcc'], cat=cat,
                 name=rng.choice(BRANDS) + rng.choice(C['names']), city=city[0],
                 settlement='direct' if rng.random() < 0.8 else 'indirect',
                 card_rate=rng.choice([0.0055, 0.006, 0.006]), qr_rate=0.0038,
                 host=rng.choice(W.hosts), sites=[], cityrec=city)
        merchants.append(m)
        return m

    def new_site(m, city):
        k = len(m['sites']) + 1
        s = dict(site_id='%s-%03d-%d' % (city[2], len(merchants), k), merchant_id=m['merchant_id'],
                 name=m['name'] + ' ' + rng.choice(city[5]) + '店', city=city[0],
                 lat=round(city[3] + rng.uniform(-0.12, 0.12), 4), lon=round(city[4] + rng.uniform(-0.12, 0.12), 4),
                 cat=m['cat'], merchant=m, hours=rng.choice(CATS[m['cat']]['hours']), terms=[])
        m['sites'].append(s)
        sites.append(s)
        return s

    # seed-case merchants first: a restaurant and a shop
    case_rest = new_merchant('restaurant', W.cities[0])
    s_rest = new_site(case_rest, W.cities[0])
    s_rest['hours'] = [(10.0, 22.0)]
    case_shop = new_merchant('supermarket', W.cities[min(1, n_cities - 1)])
    s_shop = new_site(case_shop, case_shop['cityrec'])
    n_chains = max(1, int(round(n_sites * 0.15)))
    for _ in range(n_chains):
        cat = rng.choice(CHAINABLE)
        home = rng.choice(W.cities)
        m = new_merchant(cat, home)
        for _k in range(rng.randint(2, 5)):
            city = home if rng.random() < 0.75 else rng.choice(W.cities)
            new_site(m, city)
    cats, cw = list(CAT_W), list(CAT_W.values())
    while len(sites) < n_sites:
        city = rng.choice(W.cities)
        m = new_merchant(wchoice(rng, cats, cw), city)
        new_site(m, city)
    # terminals per site
    counts = {}
    for s in sites:
        lo, hi = CATS[s['cat']]['nt']
        counts[s['site_id']] = rng.randint(lo, hi)
    counts[s_rest['site_id']] = max(3, counts[s_rest['site_id']])
    counts[s_shop['site_id']] = max(3, min(5, counts[s_shop['site_id']]))
    fixed = {s_rest['site_id'], s_shop['site_id']}
    total = sum(counts.values())
    sids = [s['site_id'] for s in sites]
    guard = 0
    while total != n_term and guard < 100000:
        guard += 1
        sid = rng.choice(sids)
        if total < n_term:
            if counts[sid] < CATS[next(s['cat'] for s in sites if s['site_id'] == sid)]['nt'][1] + 3:
                counts[sid] += 1
                total += 1
        elif counts[sid] > 1 and sid not in fixed:
            counts[sid] -= 1
            total -= 1
    # -- terminals
    terms = []
    tseq = Counter()
    vnames = list(VENDORS)
    vw = [VENDORS[v]['w'] for v in vnames]
    for s in sites:
        m = s['merchant']
        C = CATS[s['cat']]
        city = m['cityrec'] if s['city'] == m['city'] else next(c for c in W.cities if c[0] == s['city'])
        primary = wchoice(rng, vnames, vw)
        for i in range(counts[s['site_id']]):
            T = Term()
            tseq[city[0]] += 1
            T.tid = city[1] + '%04d' % (tseq[city[0]] * 3 + rng.randint(0, 2))
            T.vendor = primary if rng.random() < 0.75 else wchoice(rng, vnames, vw)
            T.site, T.merchant, T.city = s, m, s['city']
            forms = VENDORS[T.vendor]['models']
            want_mobile = rng.random() < C['mobile']
            cands = [md for md in forms if (md[1] == 'mobile') == want_mobile] or forms
            md = rng.choice(cands)
            T.model, T.form, T.battery, T.vnom = md
            if T.form == 'desk':
                T.network = wchoice(rng, ['ethernet', 'wifi', 'cellular'], [55, 25, 20])
            else:
                T.network = wchoice(rng, ['cellular', 'wifi'], [70, 30])
            T.carrier = wchoice(rng, [c for c, _ in CARRIERS], [w for _, w in CARRIERS]) \
                if T.network == 'cellular' else None
            T.host = m['host'] if rng.random() < 0.9 else rng.choice(W.hosts)
            T.fw = wchoice(rng, VENDORS[T.vendor]['fw'], [35, 65])
            T.app = wchoice(rng, [a for a, _ in APP_VERSIONS], [w for _, w in APP_VERSIONS])
            T.cert_not_after = calendar.timegm((rng.randint(2027, 2029), rng.randint(1, 12), 1, 0, 0, 0))
            T.installed = calendar.timegm((rng.randint(2022, 2026), rng.randint(1, 10), rng.randint(1, 28), 2, 0, 0))
            T.serial = '%s%08d' % ({'pax': '18', 'newland': 'N9', 'landi': 'LD', 'centerm': 'CT', 'sunmi': 'P2',
                                    'verifone': '40', 'ingenico': '16', 'xgd': 'XG'}[T.vendor],
                                   rng.randint(0, 99999999))
            s['terms'].append(T)
            terms.append(T)
    # seed case shop: pax / xgd desk terminals on the wire (so every one shows E1)
    for i, T in enumerate(s_shop['terms']):
        T.vendor = 'pax' if i % 2 == 0 else 'xgd'
        md = [x for x in VENDORS[T.vendor]['models'] if x[1] == 'desk'][i % 2]
        T.model, T.form, T.battery, T.vnom = md
        T.network, T.carrier = ('ethernet', None) if i != 1 else ('wifi', None)
        T.fw = rng.choice(VENDORS[T.vendor]['fw'])
        T.serial = ('18' if T.vendor == 'pax' else 'XG') + T.serial[2:]
    # seed case restaurant: wired + wifi + one cellular handheld
    for i, T in enumerate(s_rest['terms']):
        if i == 0:
            T.network, T.carrier = 'ethernet', None
            md = [x for x in VENDORS[T.vendor]['models'] if x[1] == 'desk'][0]
            T.model, T.form, T.battery, T.vnom = md
        elif i == 1:
            T.network, T.carrier = 'cellular', 'cmcc'
            md = [x for x in VENDORS[T.vendor]['models'] if x[1] == 'mobile'][0]
            T.model, T.form, T.battery, T.vnom = md
        else:
            T.network, T.carrier = rng.choice(['wifi', 'ethernet']), None
            if T.network == 'ethernet' and T.form == 'mobile':
                md = [x for x in VENDORS[T.vendor]['models'] if x[1] == 'desk'][0]
                T.model, T.form, T.battery, T.vnom = md
    W.merchants, W.sites, W.terms = merchants, sites, terms
    W.case_shop, W.case_rest = s_shop, s_rest
    W.tmap = {T.tid: T for T in terms}
    # per-terminal baseline physics
    for T in terms:
        r = random.Random('%d/base/%s' % (seed, T.tid))
        T.rtt = {'ethernet': r.uniform(18, 60), 'wifi': r.uniform(30, 90), 'cellular': r.uniform(90, 260)}[T.network]
        T.loss0 = r.uniform(0, 0.01) if T.network == 'ethernet' else r.uniform(0, 0.03)
        T.rssi0 = None
        if T.network == 'cellular':
            T.rssi0 = r.uniform(-92, -63)
        elif T.network == 'wifi':
            T.rssi0 = r.uniform(-75, -45)
        T.weak = False
        if T.rssi0 is not None and r.random() < 0.08:          # weak but working
            T.weak = True
            T.rssi0 = r.uniform(-101, -95) if T.network == 'cellular' else r.uniform(-84, -79)
            T.rtt *= 1.8
        T.storage0 = r.uniform(25, 80)
        T.mem0 = r.uniform(30, 62)
        T.cpu0 = r.uniform(4, 30)
        T.temp0 = r.uniform(30, 41)
        T.bat0 = r.uniform(35, 100)
        T.share = r.uniform(0.55, 1.45)
        T.always_on = r.random() < 0.1
        T.faults = defaultdict(list)
        T.type_boost = []
        # on intervals: switched on a little before opening, off a while after closing
        ivs = open_intervals(T.site['hours'], W.t0, W.t_end)
        T.open_iv = ivs
        if T.always_on or any(e - s >= DAY for s, e in ivs):
            T.on_iv = [[W.t0 - 2 * DAY, W.t_end + 2 * DAY]]
        else:
            on = []
            for s, e in ivs:
                a, b = s - r.uniform(0, 1200), e + r.uniform(60, 1800)
                if on and a <= on[-1][1]:
                    on[-1][1] = max(on[-1][1], b)
                else:
                    on.append([a, b])
            T.on_iv = on
    return W


# ---------------------------------------------------------------------------
# Fault planning
# ---------------------------------------------------------------------------

FAULT_CAUSES = ['power.supply', 'network.lan', 'hardware.board', 'upstream.acquirer', 'upstream.issuer',
                'network.carrier', 'software.bug', 'software.incompatible', 'business.merchant',
                'business.txn_type', 'business.limit', 'business.risk', 'security.keys', 'security.certificate',
                'network.signal', 'hardware.printer', 'hardware.card_reader', 'hardware.keypad', 'hardware.display',
                'power.battery', 'resource.storage', 'resource.memory', 'resource.cpu', 'software.config',
                'transmission.corruption', 'operator.error']


class Fault:
    def __init__(self, fid, cause, scope, start, end, sev, onset='abrupt', ramp=600, **params):
        self.fid, self.cause, self.scope = fid, cause, scope
        self.start, self.end, self.sev = start, end, sev
        self.onset, self.ramp = onset, max(60, ramp)
        self.p = params
        self.members = []
        self.hit = {}           # tid -> first time affected
        self.fails = 0
        self.codes = Counter()
        self.first_fail = None

    def level(self, t):
        if t < self.start or t >= self.end:
            return 0.0
        if self.onset == 'gradual':
            return self.sev * min(1.0, 0.15 + (t - self.start) / self.ramp)
        return self.sev

    def mark(self, tid, t):
        if tid not in self.hit:
            self.hit[tid] = t


def on_coverage(T, a, b):
    """seconds of [a,b) during which the terminal is switched on and the site open"""
    tot = 0.0
    for s, e in T.on_iv:
        for so, eo in T.open_iv:
            lo, hi = max(a, s, so), min(b, e, eo)
            if hi > lo:
                tot += hi - lo
    return tot


MIN_DUR = {'hardware': 5400, 'resource': 3600, 'power': 3600, 'software': 1800, 'security': 1800,
           'transmission': 2700, 'network': 1800, 'operator': 7200}


class Planner:
    def __init__(self, W, rng):
        self.W, self.rng = W, rng
        self.faults = []
        self.used_terms = []
        self.used_merch = []
        self.n = 0

    def fid(self):
        self.n += 1
        return 'F%02d' % self.n

    def window(self, T=None, min_dur=900, max_dur=4 * 3600, earliest=None, latest=None, open_end=True):
        rng, W = self.rng, self.W
        span = W.t_end - W.t0
        for _ in range(60):
            a = earliest if earliest is not None else W.t0 + 0.03 * span
            b = latest if latest is not None else W.t0 + 0.78 * span
            start = rng.uniform(a, max(a + 1, b))
            if open_end and rng.random() < 0.25:
                end = W.t_end
            else:
                dur = math.exp(rng.uniform(math.log(min_dur), math.log(max(min_dur + 1, max_dur))))
                end = min(W.t_end, start + dur)
            if end - start < min(min_dur, 600):
                continue
            if T is None or on_coverage(T, start, end) >= min(0.6 * (end - start), 1800):
                return int(start), int(end)
        return None

    def pick_term(self, pred, avoid=True, min_dur=900):
        rng = self.rng
        cands = [T for T in self.W.terms if pred(T) and not (avoid and T.tid in self.used_terms)]
        if not cands:
            cands = [T for T in self.W.terms if pred(T)]
        if not cands:
            return None
        rng.shuffle(cands)
        # most single-terminal faults land on terminals that actually take payments
        busy = [T for T in cands if CATS[T.site['cat']]['rate'] * T.share >= 9]
        if busy and rng.random() < 0.85:
            cands = busy + [T for T in cands if T not in busy]
        for T in cands[:40]:
            win = self.window(T, min_dur=min_dur)
            if win:
                self.used_terms.append(T.tid)
                return T, win
        return None

    def add(self, f, members):
        f.members = [T.tid for T in members]
        for T in members:
            T.faults[f.cause].append(f)
        self.faults.append(f)
        return f

    def single(self, cause, pred, sev, onset='abrupt', ramp=600, min_dur=None, **p):
        if min_dur is None:
            min_dur = MIN_DUR.get(cause.split('.')[0], 1800)
        got = self.pick_term(pred, min_dur=min_dur)
        if not got:
            return None
        T, (s, e) = got
        if callable(sev):
            sev = sev()
        f = Fault(self.fid(), cause, {'terminal_id': T.tid}, s, e, sev, onset, ramp, **p)
        return self.add(f, [T])

    # ---- the planners ---------------------------------------------------
    def power_supply(self, site=None, case=False):
        rng, W = self.rng, self.W
        if site is None:
            cands = [s for s in W.sites if len(s['terms']) >= 2 and s is not W.case_rest]
            rng.shuffle(cands)
            site = cands[0]
        T0 = site['terms'][0]
        if case:
            # "one afternoon": aim at local 13:00-14:30 when the window allows it
            lo = W.t0 + 0.1 * (W.t_end - W.t0)
            tgt = [t for t in range(int(lo), int(W.t0 + 0.6 * (W.t_end - W.t0)), 300)
                   if 13.0 <= lhour(t) <= 14.5 and on_coverage(T0, t, t + 2400) > 2000]
            s = rng.choice(tgt) if tgt else int(W.t0 + rng.uniform(0.25, 0.45) * (W.t_end - W.t0))
            e = min(W.t_end, s + rng.randint(35, 75) * 60)
            gap = rng.uniform(4, 8) * 60
        else:
            win = self.window(T0, min_dur=1200, max_dur=3 * 3600)
            if not win:
                return None
            s, e = win
            gap = rng.uniform(4, 16) * 60
        sags, t = [], s
        while t < e:
            d = rng.uniform(3, 90)
            sags.append((t, min(e, t + d)))
            t += d + rng.expovariate(1.0 / gap)
        router = [(a, b + rng.uniform(60, 180)) for a, b in sags]
        f = Fault(self.fid(), 'power.supply', {'site_id': site['site_id']}, s, e, rng.uniform(0.6, 1.0),
                  sags=sags, router=router, flake=rng.uniform(0.25, 0.5) if case else rng.uniform(0.05, 0.3),
                  case=case)
        self.used_terms.extend(T.tid for T in site['terms'])
        return self.add(f, site['terms'])

    def board_after_power(self, pf):
        rng = self.rng
        site = self.W.tmap[pf.members[0]].site
        if pf.p.get('case'):
            T = site['terms'][-1]
            last = pf.p['sags'][-1][1]
        else:
            T = rng.choice([x for x in site['terms'] if not x.battery] or site['terms'])
            last = pf.p['sags'][len(pf.p['sags']) // 2][1]
        s = int(min(self.W.t_end - 600, last + rng.uniform(90, 300)))
        f = Fault(self.fid(), 'hardware.board', {'terminal_id': T.tid}, s, self.W.t_end, rng.uniform(0.3, 0.6),
                  reboot_every=rng.uniform(12, 35) * 60)
        return self.add(f, [T])

    def network_lan(self, site=None):
        rng, W = self.rng, self.W
        case = site is not None
        if site is None:
            cands = [s for s in W.sites if sum(1 for T in s['terms'] if T.network != 'cellular') >= 2
                     and s is not W.case_rest]
            if not cands:
                return None
            site = rng.choice(cands)
        if case:    # the seed case: the restaurant's router fails, wired and Wi-Fi terminals with it
            mode = rng.choice(['down', 'degraded'])
        else:
            mode = rng.choice(['down', 'degraded', 'degraded', 'wifi_ap'])
        if mode == 'wifi_ap' and not any(T.network == 'wifi' for T in site['terms']):
            mode = 'degraded'
        members = [T for T in site['terms'] if (T.network == 'wifi' if mode == 'wifi_ap' else T.network != 'cellular')]
        if not members:
            return None
        if case:
            lo = W.t0 + 0.15 * (W.t_end - W.t0)
            tgt = [t for t in range(int(lo), int(W.t0 + 0.7 * (W.t_end - W.t0)), 300)
                   if 11.5 <= lhour(t) <= 13.0]
            s = rng.choice(tgt) if tgt else int(lo + rng.uniform(0, 0.3) * (W.t_end - W.t0))
            e = min(W.t_end, s + rng.randint(25, 70) * 60)
        else:
            win = self.window(members[0], min_dur=1800, max_dur=3 * 3600)
            if not win:
                return None
            s, e = win
        sev = 1.0 if mode == 'down' else rng.uniform(0.6 if case else 0.35, 0.9)
        onset = 'gradual' if mode == 'degraded' and rng.random() < 0.5 else 'abrupt'
        f = Fault(self.fid(), 'network.lan', {'site_id': site['site_id']}, s, e, sev, onset,
                  rng.uniform(300, 1800), mode=mode, case=case)
        self.used_terms.extend(T.tid for T in members)
        return self.add(f, members)

    def network_carrier(self):
        rng, W = self.rng, self.W
        groups = defaultdict(list)
        for T in W.terms:
            if T.network == 'cellular':
                groups[(T.carrier, T.city)].append(T)
        keys = sorted(k for k, v in groups.items() if len(v) >= 3)
        if not keys:
            keys = sorted(groups)
        if not keys:
            return None
        car, city = rng.choice(keys)
        win = self.window(None, min_dur=900, max_dur=2.5 * 3600)
        s, e = win
        f = Fault(self.fid(), 'network.carrier', {'carrier': car, 'city': city}, s, e, rng.uniform(0.5, 1.0),
                  'gradual' if rng.random() < 0.3 else 'abrupt', rng.uniform(300, 900))
        return self.add(f, groups[(car, city)])

    def network_signal(self, near=None):
        rng = self.rng
        pred = (lambda T: T.network != 'ethernet')
        if near is not None:
            cands = [T for T in near['terms'] if T.network != 'ethernet']
            if cands:
                T = rng.choice(cands)
                win = self.window(T, min_dur=1800)
                if win:
                    s, e = win
                    f = Fault(self.fid(), 'network.signal', {'terminal_id': T.tid}, s, e, rng.uniform(0.45, 0.85),
                              'gradual', rng.uniform(600, 2400), drop=rng.uniform(14, 26))
                    return self.add(f, [T])
        return self.single('network.signal', pred, lambda: rng.uniform(0.45, 0.85),
                           'gradual' if rng.random() < 0.7 else 'abrupt', rng.uniform(600, 2400),
                           drop=rng.uniform(14, 26))

    def upstream_acquirer(self):
        rng, W = self.rng, self.W
        host = rng.choice(W.hosts)
        mode = rng.choice(['outage', 'overload', 'overload'])
        if mode == 'outage':
            win = self.window(None, min_dur=600, max_dur=45 * 60, open_end=False)
            sev = rng.uniform(0.85, 1.0)
        else:
            win = self.window(None, min_dur=1200, max_dur=2.5 * 3600)
            sev = rng.uniform(0.2, 0.6)
        s, e = win
        f = Fault(self.fid(), 'upstream.acquirer', {'host': host}, s, e, sev,
                  'gradual' if mode == 'overload' and rng.random() < 0.5 else 'abrupt', rng.uniform(300, 1200),
                  mode=mode, slow=rng.uniform(3, 8))
        return self.add(f, [T for T in W.terms if T.host == host])

    def upstream_issuer(self):
        rng, W = self.rng, self.W
        bank = wchoice(rng, [b[0] for b in BANKS[:8]], [b[1] for b in BANKS[:8]])
        bins = next(b[2] for b in BANKS if b[0] == bank)
        s, e = self.window(None, min_dur=1200, max_dur=2.5 * 3600)
        if rng.random() < 0.4:
            scope = {'issuer': bank}
            sel = bins
        else:
            sel = [rng.choice(bins)]
            scope = {'bin': sel[0]}
        f = Fault(self.fid(), 'upstream.issuer', scope, s, e, rng.uniform(0.5, 1.0),
                  'gradual' if rng.random() < 0.25 else 'abrupt', 600, bank=bank, bins=sel)
        return self.add(f, W.terms)

    def software_bug(self, benign_vendor):
        rng, W = self.rng, self.W
        vc = Counter(T.vendor for T in W.terms)
        vendors = [v for v in sorted(vc) if vc[v] >= 6 and v != benign_vendor]
        use_app = rng.random() < 0.3 or not vendors
        if use_app:
            host = rng.choice(W.hosts)
            pool = [T for T in W.terms if T.host == host]
            ver, scope = APP_NEXT, {'app_version': APP_NEXT}
        else:
            v = rng.choice(vendors)
            pool = [T for T in W.terms if T.vendor == v]
            ver = VENDORS[v]['fw_next']
            scope = {'firmware': ver}
        start = int(W.t0 + rng.uniform(0.02, 0.4) * (W.t_end - W.t0))
        p_upd = rng.uniform(0.45, 0.85)
        upd = {}
        for T in pool:
            if rng.random() < p_upd:
                upd[T.tid] = int(start + rng.uniform(0, 0.55) * (W.t_end - start))
        if not upd:
            T = pool[0]
            upd[T.tid] = start
        trig = rng.choice([None, None, 'nfc', 'qr', 'refund'])
        f = Fault(self.fid(), 'software.bug', scope, min(upd.values()), W.t_end, rng.uniform(0.12, 0.45),
                  upd=upd, ver=ver, kind='app' if use_app else 'fw', trig=trig, idle_rate=rng.uniform(0.3, 2.0))
        return self.add(f, [W.tmap[t] for t in upd])

    def benign_rollout(self, rng):
        W = self.W
        vc = Counter(T.vendor for T in W.terms)
        vendors = [v for v in sorted(vc) if vc[v] >= 4]
        v = rng.choice(vendors)
        ver = VENDORS[v]['fw_next']
        start = int(W.t0 + rng.uniform(0.05, 0.5) * (W.t_end - W.t0))
        upd = {}
        for T in W.terms:
            if T.vendor == v and rng.random() < 0.5:
                upd[T.tid] = int(start + rng.uniform(0, 0.5) * (W.t_end - start))
        return v, ver, upd

    def software_incompatible(self):
        rng, W = self.rng, self.W
        opts = []
        for h in W.hosts:
            a = [T for T in W.terms if T.host == h and T.app == OLD_APP]
            if len(a) >= 2:
                opts.append(({'host': h, 'app_version': OLD_APP}, a, 'app', OLD_APP))
            for v, cfg in VENDORS.items():
                b = [T for T in W.terms if T.host == h and T.vendor == v and T.fw == cfg['fw'][0]]
                if len(b) >= 2:
                    opts.append(({'host': h, 'firmware': cfg['fw'][0]}, b, 'fw', cfg['fw'][0]))
        if not opts:
            return None
        app_opts = [o for o in opts if o[2] == 'app']
        scope, members, kind, ver = rng.choice(app_opts if app_opts and rng.random() < 0.6 else opts)
        s = int(W.t0 + rng.uniform(0.05, 0.6) * (W.t_end - W.t0))
        e = W.t_end if rng.random() < 0.7 else min(W.t_end, s + rng.randint(60, 150) * 60)
        f = Fault(self.fid(), 'software.incompatible', scope, s, e, rng.uniform(0.75, 1.0), kind=kind, ver=ver,
                  host=scope['host'])
        return self.add(f, members)

    def merchant_pick(self, pred, min_terms=1):
        rng = self.rng
        cands = [m for m in self.W.merchants if pred(m) and m['merchant_id'] not in self.used_merch
                 and sum(len(s['terms']) for s in m['sites']) >= min_terms]
        if not cands:
            cands = [m for m in self.W.merchants if pred(m)]
        if not cands:
            return None
        wts = [CATS[m['cat']]['rate'] * len(self.mterms(m)) + 1 for m in cands]
        m = wchoice(rng, cands, wts)
        self.used_merch.append(m['merchant_id'])
        return m

    def mterms(self, m):
        return [T for s in m['sites'] for T in s['terms']]

    def business(self, cause):
        rng, W = self.rng, self.W
        if cause == 'business.merchant':
            m = self.merchant_pick(lambda m: CATS[m['cat']]['rate'] >= 8)
            variant = rng.choice(['frozen', 'frozen', 'misreg'])
            sev = 1.0 if variant == 'frozen' else rng.uniform(0.8, 1.0)
            params = dict(variant=variant)
        elif cause == 'business.txn_type':
            m = self.merchant_pick(lambda m: m['cat'] in ('hotel', 'clothing', 'department', 'electronics',
                                                          'supermarket', 'jewelry'))
            if m['cat'] == 'hotel' or rng.random() < 0.3:
                types = ['preauth', 'completion'] if rng.random() < 0.6 else ['refund']
            else:
                types = ['refund']
            sev = 1.0
            params = dict(types=types, code=rng.choice(['40', '58', '57']) if types == ['refund'] else
                          rng.choice(['40', '58']))
        elif cause == 'business.limit':
            m = self.merchant_pick(lambda m: CATS[m['cat']]['med'] >= 30000)
            C = CATS[m['cat']]
            variant = 'amount' if rng.random() < 0.75 else 'count'
            share = rng.uniform(0.2, 0.7)
            lim = int(C['med'] * math.exp(C['sig'] * NormalDist().inv_cdf(1 - share)) // 10000 * 10000)
            lim = max(10000, lim)
            sev = 1.0 if variant == 'amount' else share
            params = dict(variant=variant, limit=lim, code='61' if variant == 'amount' else '65')
        else:  # business.risk
            m = self.merchant_pick(lambda m: True)
            sev = rng.uniform(0.4, 1.0)
            params = dict(codes=rng.choice([['59'], ['59', '34'], ['34', '59', '59']]))
        if m is None:
            return None
        members = self.mterms(m)
        win = self.window(members[0], min_dur=1800, max_dur=5 * 3600)
        if not win:
            win = (int(W.t0 + 0.2 * (W.t_end - W.t0)), W.t_end)
        s, e = win
        f = Fault(self.fid(), cause, {'merchant_id': m['merchant_id']}, s, e, sev, **params)
        if cause == 'business.txn_type':
            for T in members:
                T.type_boost.append((s, e, params['types'], rng.uniform(1.5, 4.0)))
        if cause == 'business.risk':
            # the abnormal pattern that tripped the risk engine: large round-amount card sales
            burst = []
            for _ in range(rng.randint(5, 11)):
                burst.append((int(s - rng.uniform(300, 2400)), rng.choice(members).tid,
                              rng.choice([500000, 800000, 999900, 1000000, 2000000])))
            f.p['burst'] = burst
        return self.add(f, members)

    def security_keys(self):
        rng = self.rng
        variant = rng.choice(['mak', 'mak', 'pik', 'missing'])
        return self.single('security.keys', lambda T: True, 1.0, variant=variant)

    def security_certificate(self):
        rng, W = self.rng, self.W
        variant = rng.choice(['expired', 'expired', 'clock', 'batch'])
        if variant == 'batch':
            m = self.merchant_pick(lambda m: len(self.mterms(m)) >= 2)
            members = self.mterms(m)
            s = int(W.t0 + rng.uniform(0.1, 0.6) * (W.t_end - W.t0))
            s -= s % 3600
            s = max(s, W.t0 + 600)
            for T in members:
                T.cert_not_after = s
            f = Fault(self.fid(), 'security.certificate', {'merchant_id': m['merchant_id']}, s, W.t_end, 1.0,
                      variant='expired')
            return self.add(f, members)
        f = self.single('security.certificate', lambda T: True, 1.0, variant=variant)
        if f and variant == 'expired':
            T = W.tmap[f.members[0]]
            f.start -= f.start % 60
            T.cert_not_after = f.start
            f.end = W.t_end
        if f and variant == 'clock':
            f.p['skew'] = -int(rng.uniform(8.2e8, 8.4e8))
        return f

    def plan(self, n_faults):
        rng, W = self.rng, self.W
        k = max(0, n_faults - 3)
        start = (W.seed * k) % len(FAULT_CAUSES) if k else 0
        rot = [FAULT_CAUSES[(start + i) % len(FAULT_CAUSES)] for i in range(k)]
        # seed cases
        if n_faults >= 1:
            pf = self.power_supply(W.case_shop, case=True)
            if n_faults >= 2:
                self.board_after_power(pf)
        if n_faults >= 3:
            self.network_lan(W.case_rest)
        self.benign = self.benign_rollout(rng)
        power_sites = [W.tmap[f.members[0]].site for f in self.faults if f.cause == 'power.supply']
        for cause in rot:
            f = None
            if cause == 'power.supply':
                f = self.power_supply()
                if f:
                    power_sites.append(W.tmap[f.members[0]].site)
            elif cause == 'hardware.board':
                pfs = [x for x in self.faults if x.cause == 'power.supply' and not x.p.get('case')
                       and x.start < W.t_end - 2 * 3600]
                if pfs and rng.random() < 0.5:
                    f = self.board_after_power(pfs[0])
                else:
                    f = self.single(cause, lambda T: True, lambda: rng.uniform(0.25, 0.6),
                                    reboot_every=rng.uniform(12, 40) * 60)
            elif cause == 'network.lan':
                f = self.network_lan()
            elif cause == 'network.carrier':
                f = self.network_carrier()
            elif cause == 'network.signal':
                f = self.network_signal(near=rng.choice(power_sites) if power_sites else None)
            elif cause == 'upstream.acquirer':
                f = self.upstream_acquirer()
            elif cause == 'upstream.issuer':
                f = self.upstream_issuer()
            elif cause == 'software.bug':
                f = self.software_bug(self.benign[0])
            elif cause == 'software.incompatible':
                f = self.software_incompatible()
            elif cause.startswith('business.'):
                f = self.business(cause)
            elif cause == 'security.keys':
                f = self.security_keys()
            elif cause == 'security.certificate':
                f = self.security_certificate()
            elif cause == 'hardware.printer':
                variant = rng.choice(['paper_out', 'paper_out', 'fault'])
                f = self.single(cause, lambda T: T.vendor != 'landi' or True,
                                1.0 if variant == 'paper_out' else rng.uniform(0.3, 0.8), variant=variant)
            elif cause == 'hardware.card_reader':
                variant = wchoice(rng, ['ic', 'nfc', 'mag'], [80, 12, 8])
                f = self.single(cause, lambda T: CATS[T.site['cat']]['ch'][0] >= 0.4,
                                lambda: rng.uniform(0.5, 1.0), 'gradual' if rng.random() < 0.4 else 'abrupt',
                                rng.uniform(600, 3600), variant=variant)
            elif cause == 'hardware.keypad':
                f = self.single(cause, lambda T: CATS[T.site['cat']]['ch'][0] >= 0.3,
                                lambda: rng.uniform(0.3, 0.9), 'gradual' if rng.random() < 0.5 else 'abrupt',
                                rng.uniform(600, 3600), stuck=rng.uniform(0.2, 0.6))
            elif cause == 'hardware.display':
                f = self.single(cause, lambda T: True, lambda: rng.uniform(0.25, 0.8))
            elif cause == 'power.battery':
                f = self.single(cause, lambda T: T.battery == 1, 1.0, 'gradual', 600,
                                drain=rng.uniform(1.0, 3.0), bat=rng.uniform(25, 60))
            elif cause == 'resource.storage':
                f = self.single(cause, lambda T: True, 1.0, 'gradual', 600, fill=rng.uniform(10, 60) * 60)
            elif cause == 'resource.memory':
                f = self.single(cause, lambda T: True, 1.0, 'gradual', 600, leak=rng.uniform(1.0, 3.0))
            elif cause == 'resource.cpu':
                f = self.single(cause, lambda T: True, lambda: rng.uniform(0.3, 0.85),
                                'gradual' if rng.random() < 0.5 else 'abrupt', rng.uniform(300, 1800))
            elif cause == 'software.config':
                variant = wchoice(rng, ['host_addr', 'tid', 'mid', 'nii', 'keyidx'], [35, 20, 20, 15, 10])
                f = self.single(cause, lambda T: True, 1.0, variant=variant,
                                bad_ip='%d.%d.%d.%d:%d' % (rng.choice([10, 172, 192]), rng.randint(0, 255),
                                                           rng.randint(0, 255), rng.randint(2, 250),
                                                           rng.choice([5000, 8000, 9001])))
            elif cause == 'transmission.corruption':
                f = self.single(cause, lambda T: True, lambda: rng.uniform(0.2, 0.6),
                                'gradual' if rng.random() < 0.3 else 'abrupt', 900)
            elif cause == 'operator.error':
                f = self.single(cause, lambda T: True, lambda: rng.uniform(0.2, 0.4))
            if f is None:
                print('warning: could not place fault %s' % cause, file=sys.stderr)
        # config 'mid' needs a wrong MID
        for f in self.faults:
            if f.cause == 'software.config' and f.p.get('variant') == 'mid':
                T = W.tmap[f.members[0]]
                mid = T.merchant['merchant_id']
                f.p['bad_mid'] = mid[:-4] + '%04d' % ((int(mid[-4:]) + rng.randint(1, 50)) % 10000)
        return self.faults


# ---------------------------------------------------------------------------
# Terminal simulation
# ---------------------------------------------------------------------------

BG_DECLINE = (('51', 40), ('55', 22), ('05', 10), ('54', 7), ('14', 6), ('75', 3), ('41', 2), ('43', 1),
              ('62', 3))
BG_DECLINE_NOPIN = (('51', 50), ('05', 14), ('54', 10), ('14', 8), ('41', 2), ('62', 3))


class Sim:
    def __init__(self, W, T, benign):
        self.W, self.T = W, T
        self.rng = random.Random('%d/sim/%s' % (W.seed, T.tid))
        self.V = VENDORS[T.vendor]
        self.codes = VENDOR_CODES[T.vendor]
        self.recs = []          # (ts, seq, rec)
        self.truth = []
        self.seq = 0
        self.heap = []
        self.hseq = 0
        self.depth = 0
        self.off_reason = None
        self.pending_reboot = None
        self.online = False
        self.stan = self.rng.randint(1, 400000)
        self.cnt = Counter()
        self.fw, self.app = T.fw, T.app
        self.changed = {}
        self.bat = T.bat0
        self.bat_t = W.t0
        self.last_ok = []       # approved purchases (stan, amount, channel)
        self.last_preauth = []
        self.rev = []           # pending reversals
        self.mem_reset = None
        self.storage_cleared = None
        self.benign = benign
        self.last_tele = W.t0 - T.tele if hasattr(T, 'tele') else W.t0
        self.upd_done = {}
        self.board_next = None
        self.fail_streak = 0
        self.give_up_after = self.rng.randint(3, 7)
        self.avoid_until = 0

    # ---- helpers --------------------------------------------------------
    def push(self, t, prio, kind, data=None):
        self.hseq += 1
        heapq.heappush(self.heap, (t, prio, self.hseq, kind, data))

    def emit(self, t, rec):
        self.seq += 1
        rec['ts'] = iso(t)
        self.recs.append((int(t), self.seq, rec))
        return rec

    def tevent(self, t, code, cause, f=None, stan=None):
        ev = {'kind': 'truth_event', 'ts': iso(t), 'terminal_id': self.T.tid, 'cause': cause, 'code': code}
        if stan:
            ev['stan'] = stan
        if f is not None:
            ev['fault_id'] = f.fid
            f.fails += 1
            f.codes[code] += 1
            if f.first_fail is None or t < f.first_fail:
                f.first_fail = t
            f.mark(self.T.tid, t)
        self.truth.append((int(t), ev))
        if cause not in ('card.decline', 'operator.error', 'hardware.printer'):
            self.fail_streak += 1
            if self.fail_streak >= self.give_up_after:
                # the cashier gives up on this terminal for a while (customers scan the static QR sticker)
                self.avoid_until = t + self.rng.uniform(300, 1500)
                self.fail_streak = 0
                self.give_up_after = self.rng.randint(3, 7)

    def detail(self, key, det=None, **kw):
        rng = self.rng
        en, zh = det if det else DETAIL[key]
        lang = self.V['lang']
        if lang == 'mix':
            lang = 'en' if rng.random() < 0.5 else 'zh'
        tpl = rng.choice(en if lang == 'en' else zh)
        kw.setdefault('ip', self.W.host_ip[self.T.host])
        kw.setdefault('tmo', self.V['tmo'])
        kw.setdefault('ver', self.app)
        kw.setdefault('hx', '%04X' % rng.randint(0, 65535))
        kw.setdefault('kb', rng.choice([512, 1024, 2048, 4096]))
        return tpl.format_map(SafeDict(kw))

    def err(self, t, key, cause, f=None, stan=None, det=None, **kw):
        code = self.codes[key]
        rec = {'kind': 'error', 'ts': None, 'terminal_id': self.T.tid, 'code': code}
        if self.V['stage'] or self.rng.random() < 0.3:
            rec['stage'] = STAGE[key]
        if self.rng.random() < 0.85:
            rec['detail'] = self.detail(key, det, stan=stan or '', **kw)
        if stan:
            rec['stan'] = stan
        self.emit(t, rec)
        self.tevent(t, code, cause, f, stan)

    def next_stan(self):
        self.stan = self.stan % 999999 + 1
        return '%06d' % self.stan

    def active(self, cause, t):
        out = []
        for f in self.T.faults.get(cause, ()):
            L = f.level(t)
            if L > 0:
                out.append((f, L))
        return out

    def roll(self, p):
        return self.rng.random() < p

    # ---- power ----------------------------------------------------------
    def go_off(self, t, reason):
        if self.depth == 0:
            self.off_reason = reason
        self.depth += 1

    def go_on(self, t):
        self.depth = max(0, self.depth - 1)
        if self.depth == 0:
            self.pending_reboot = self.off_reason or 'user'
            self.boot_hooks(t)

    def dyn_reboot(self, t, reason, dur):
        self.go_off(t, reason)
        self.push(t + dur, 1, 'on')

    def boot_hooks(self, t):
        T, rng = self.T, self.rng
        for f in T.faults.get('power.supply', ()):
            if f.start <= t <= f.end + 300 and self.off_reason == 'power_loss' and self.roll(self.V['pwr_log']):
                self.err(t + rng.uniform(3, 10), 'POWER_ON', 'power.supply', f,
                         v='%.1f' % (T.vnom * rng.uniform(0.7, 0.88)))
        for f, L in self.active('hardware.board', t):
            if self.roll(0.7):
                self.err(t + rng.uniform(3, 12), 'BOARD', 'hardware.board', f)
        for f, L in self.active('hardware.display', t):
            if self.roll(0.4):
                self.err(t + rng.uniform(3, 12), 'DISPLAY', 'hardware.display', f)
        for f, L in self.active('power.battery', t):
            if self.battery(t) < 15 and self.roll(0.7):
                self.err(t + rng.uniform(3, 12), 'LOW_BATT', 'power.battery', f, bat=int(self.battery(t)))

    def battery(self, t):
        """battery level; worn battery drains fast once the fault is on"""
        for f, L in self.active('power.battery', t):
            base, t0, rate = f.p['bat'], f.start, f.p['drain']
            if f.p.get('recharged'):
                base, t0 = f.p['recharged']
                rate *= 0.35        # back on the charger, but the worn cells barely hold
            return max(0.0, base - rate * max(0.0, t - t0) / 60.0)
        # healthy: slow drift
        return max(12.0, min(100.0, self.T.bat0 + 4 * math.sin((t - self.W.t0) / 5400.0 + int(self.T.tid) % 7)))

    # ---- network --------------------------------------------------------
    def power_router_down(self, t):
        for f in self.T.faults.get('power.supply', ()):
            if f.start <= t <= f.end + 400 and self.T.network != 'cellular' and in_iv(f.p['router'], t):
                return f
        return None

    def rssi(self, t):
        T = self.T
        if T.rssi0 is None:
            return None
        r = T.rssi0 + self.rng.gauss(0, 2.5)
        for f, L in self.active('network.signal', t):
            r -= f.p['drop'] * (L / f.sev)
        return int(round(max(-118, min(-40, r))))

    def net_levels(self, t):
        """list of (fault, cause, fail_prob, kind) for link-level problems"""
        T = self.T
        out = []
        f = self.power_router_down(t)
        if f:
            out.append((f, 'power.supply', 1.0, 'down'))
        for f in T.faults.get('power.supply', ()):
            if f.level(t) > 0 and T.network != 'cellular':
                out.append((f, 'power.supply', f.p['flake'], 'flaky'))
        for f, L in self.active('network.lan', t):
            out.append((f, 'network.lan', L, 'down' if f.p['mode'] == 'down' else 'degraded'))
        for f, L in self.active('network.carrier', t):
            out.append((f, 'network.carrier', L, 'down' if L >= 0.95 else 'degraded'))
        for f, L in self.active('network.signal', t):
            out.append((f, 'network.signal', L, 'degraded'))
        return out

    # ---- telemetry -------------------------------------------------------
    def tele(self, t):
        T, V, rng = self.T, self.V, self.rng
        if self.depth > 0:
            if self.online:
                self.emit(t, {'kind': 'telemetry', 'ts': None, 'terminal_id': T.tid, 'online': False})
                self.online = False
            return
        lv = self.net_levels(t)
        reach = True
        loss = T.loss0 + rng.uniform(0, 0.01)
        rtt = T.rtt * rng.uniform(0.85, 1.25)
        for f, cause, p, kind in lv:
            if kind == 'down' and p >= 0.95:
                reach = False
            elif kind == 'flaky':
                if rng.random() < p * 0.5:
                    reach = False
                loss += p * 0.3
                rtt *= 1 + p * 3
            else:
                if rng.random() < 0.5 * p * p:
                    reach = False
                loss += p * rng.uniform(0.35, 0.7)
                rtt *= 1 + p * rng.uniform(3, 12)
            if cause != 'power.supply':
                f.mark(T.tid, t)
        for f, L in self.active('transmission.corruption', t):
            loss += L * rng.uniform(0.03, 0.12)
            if T.network == 'ethernet' and rng.random() < 0.1 * L:
                reach = False
        if not reach:
            if self.online:
                self.emit(t, {'kind': 'telemetry', 'ts': None, 'terminal_id': T.tid, 'online': False})
                self.online = False
            return
        self.online = True
        rec = {'kind': 'telemetry', 'ts': None, 'terminal_id': T.tid}
        fields = V['fields']
        vals = {}
        vals['online'] = True
        vals['latency_ms'] = int(rtt)
        vals['packet_loss'] = round(min(1.0, loss), 3)
        # power
        v = T.vnom * (1 + rng.gauss(0, 0.006))
        pe = 0
        for f in T.faults.get('power.supply', ()):
            if f.start - 60 <= t <= f.end + 120:
                pe += sum(1 for a, b in f.p['sags'] if self.last_tele < a <= t)
                if f.level(t) > 0:
                    pe += int(rng.random() < 0.5) + int(rng.random() < f.sev * 0.4)
                    v = T.vnom * rng.choice([rng.uniform(0.72, 0.9), rng.uniform(1.08, 1.18),
                                             rng.uniform(0.9, 1.0)])
                    if in_iv(f.p['sags'], t):
                        v = 0.0
                    f.mark(T.tid, t) if T.network != 'cellular' or not T.battery else None
        vals['supply_v'] = round(v, 2)
        vals['power_events'] = pe
        if T.battery:
            vals['battery_pct'] = int(self.battery(t))
        r = self.rssi(t)
        if r is not None:
            vals['rssi_dbm'] = r
        # resources
        vals['storage_used_pct'] = int(round(self.storage(t)))
        vals['memory_used_pct'] = int(round(self.memory(t)))
        cpu = T.cpu0 + rng.uniform(-3, 8)
        for f, L in self.active('resource.cpu', t):
            cpu = max(cpu, rng.uniform(86, 100) * min(1, 0.6 + L))
            f.mark(T.tid, t)
        vals['cpu_pct'] = int(max(1, min(100, cpu)))
        temp = T.temp0 + rng.uniform(-1, 1.5) + (cpu - 20) * 0.12
        for f, L in self.active('hardware.board', t):
            temp += rng.uniform(6, 14)
        vals['temp_c'] = round(temp, 1)
        kc = 'ok'
        for f, L in self.active('security.keys', t):
            kc = 'missing' if f.p['variant'] == 'missing' else 'mismatch'
            f.mark(T.tid, t)
        vals['key_check'] = kc
        skew = round(rng.uniform(-2, 2), 1)
        for f, L in self.active('security.certificate', t):
            if f.p.get('variant') == 'clock':
                skew = f.p['skew'] + rng.randint(-5, 5)
        vals['clock_skew_s'] = skew
        pr = 'ok'
        for f, L in self.active('hardware.printer', t):
            if f.p['variant'] == 'paper_out':
                pr = 'paper_out'
            elif rng.random() < 0.5 + 0.5 * L:
                pr = 'fault'
        vals['printer'] = pr
        # counters since last sample
        for f, L in self.active('hardware.keypad', t):
            self.cnt['keypad_errors'] += int(rng.random() < L) * rng.randint(1, 4)
        for f, L in self.active('hardware.card_reader', t):
            if rng.random() < L * 0.5:
                self.cnt['card_reader_errors'] += 1
                f.mark(T.tid, t)
        for f, L in self.active('hardware.board', t):
            self.cnt['card_reader_errors'] += int(rng.random() < 0.2)
        vals['keypad_errors'] = self.cnt['keypad_errors']
        vals['card_reader_errors'] = self.cnt['card_reader_errors']
        vals['app_crashes'] = self.cnt['app_crashes']
        for k in fields:
            if k in vals:
                if k == 'rssi_dbm' and r is None:
                    continue
                if k == 'battery_pct' and not T.battery:
                    continue
                rec[k] = vals[k]
        if self.pending_reboot:
            rec['reboot'] = self.pending_reboot
            self.pending_reboot = None
        for k in ('firmware', 'app_version'):
            if k in self.changed:
                rec[k] = self.changed.pop(k)
        self.cnt.clear()
        self.last_tele = t
        self.emit(t, rec)

    def tick_warnings(self, t):
        """conditions a terminal logs on its own, whether or not someone is paying"""
        rng, V = self.rng, self.V
        per_min = V['tele'] / 60.0
        for f, L in self.active('power.battery', t):
            b = self.battery(t)
            if b <= 0.5:
                self.go_off(t, 'power_loss')
                f.p['recharged'] = (rng.uniform(6, 12), t + rng.uniform(300, 900))
                self.push(f.p['recharged'][1], 1, 'on')
                f.mark(self.T.tid, t)
            elif b < 20 and rng.random() < 0.25 * per_min:
                self.err(t + rng.uniform(0, 5), 'LOW_BATT', 'power.battery', f, bat=int(b))
        for f, L in self.active('resource.storage', t):
            if self.storage(t) >= 97 and rng.random() < 0.12 * per_min:
                self.err(t + rng.uniform(0, 5), 'STORAGE', 'resource.storage', f)
        for f, L in self.active('resource.memory', t):
            mem = self.memory(t)
            if mem >= 97 and (self.mem_reset is None or t > self.mem_reset):
                self.err(t + rng.uniform(0, 3), 'MEMORY', 'resource.memory', f)
                self.cnt['app_crashes'] += 1
                self.mem_reset = t + 60
                self.dyn_reboot(t + 4, rng.choice(['watchdog', 'crash']), rng.uniform(40, 90))
                return
        for f, L in self.active('resource.cpu', t):
            if rng.random() < 0.08 * L * per_min:
                self.err(t + rng.uniform(0, 5), 'BUSY', 'resource.cpu', f, cpu=rng.randint(95, 100))

    def storage(self, t):
        T = self.T
        val = T.storage0
        for f in T.faults.get('resource.storage', ()):
            if self.storage_cleared and t >= self.storage_cleared:
                return 55.0 + (T.storage0 % 5)
            if t < f.start:
                val = max(val, min(95.5, 90.0 + 5.5 * (1 - (f.start - t) / 7200.0)))
            else:
                val = min(100.0, 95.5 + 4.5 * (t - f.start) / f.p['fill'])
        return val

    def memory(self, t):
        T = self.T
        val = T.mem0 + self.rng.uniform(-2, 2)
        for f, L in self.active('resource.memory', t):
            t0 = max(f.start, self.mem_reset or f.start)
            floor = max(T.mem0, 72.0) if t0 == f.start else T.mem0   # the leak began before anyone noticed
            val = min(99.0, floor + f.p['leak'] * (t - t0) / 60.0)
        return val

    # ---- transactions ---------------------------------------------------
    def new_params(self, t, force_type=None):
        T, rng = self.T, self.rng
        C = CATS[T.site['cat']]
        typ = force_type
        if typ is None:
            if T.site['cat'] == 'hotel':
                typ = wchoice(rng, ['purchase', 'preauth', 'completion', 'refund', 'balance'], [46, 32, 17, 3, 2])
            else:
                typ = wchoice(rng, ['purchase', 'refund', 'balance', 'preauth'], [975, 15, 6, 4])
        ch = wchoice(rng, ['card_ic', 'card_swipe', 'nfc', 'qr'], list(C['ch']))
        if typ in ('preauth', 'completion', 'balance') and ch == 'qr':
            ch = 'card_ic'
        amt = int(C['med'] * math.exp(rng.gauss(0, C['sig'])))
        amt = max(100, amt if amt < 2000 else amt // 100 * 100)
        if typ == 'balance':
            amt = 0
        if typ == 'preauth':
            amt = max(amt, 50000) // 10000 * 10000
        p = {'type': typ, 'channel': ch, 'amount': amt, 'tries': 0}
        if ch != 'qr':
            bank = wchoice(rng, [b[0] for b in BANKS], [b[1] for b in BANKS])
            bn = rng.choice(next(b[2] for b in BANKS if b[0] == bank))
            p['bank'], p['bin'] = bank, bn
            p['pan'] = '%s******%04d' % (bn, rng.randint(0, 9999))
            p['pin'] = (ch in ('card_ic', 'card_swipe') and (rng.random() < 0.7 or amt >= 100000)) or \
                (ch == 'nfc' and amt >= 100000) or typ == 'balance'
        else:
            p['pin'] = False
        if typ == 'completion':
            if self.last_preauth:
                ps, pa, pp = self.last_preauth.pop(0)
                p['orig'], p['amount'] = ps, min(pa, amt)
                p.update(pp)
        if typ == 'refund':
            p['orig'] = '%06d' % rng.randint(1, 999999)
        return p

    def txn_rec(self, t, p, stan, rc=None, timed_out=False, lat=None, cause=None, f=None):
        T = self.T
        m = T.merchant
        rec = {'kind': 'txn', 'ts': None, 'terminal_id': T.tid,
               'merchant_id': p.get('mid_override', m['merchant_id']), 'type': p['type'],
               'amount': p['amount'], 'currency': 'CNY', 'channel': p['channel'], 'stan': stan}
        if rc and not timed_out:
            rec['rrn'] = '%03d%02d%s%06d' % (time.gmtime(t).tm_yday, time.gmtime(t).tm_hour,
                                             T.host[-1], int(stan))
        rec['mcc'] = m['mcc']
        if timed_out:
            rec['timed_out'] = True
        else:
            rec['response_code'] = rc
        rec['latency_ms'] = int(lat)
        if rc == '00' and p['type'] in ('purchase', 'completion'):
            rate = m['qr_rate'] if p['channel'] == 'qr' else m['card_rate']
            rec['fee'] = int(round(p['amount'] * rate))
        if 'pan' in p:
            rec['pan'] = p['pan']
        if 'orig' in p:
            rec['orig_stan'] = p['orig']
        self.emit(t, rec)
        if rc in APPROVED and not timed_out and p['type'] != 'reversal':
            self.fail_streak = 0
        if timed_out or rc not in APPROVED:
            self.tevent(t, 'timeout' if timed_out else rc, cause, f, stan)
        return rec

    def retry(self, t, p, prob, lo=15, hi=90, change=None):
        if p['tries'] >= 2 or not self.roll(prob):
            return
        q = dict(p)
        q['tries'] += 1
        if change == 'swipe':
            q['channel'] = 'card_swipe'
        elif change == 'qr':
            q = self.new_params(t, q['type'] if q['type'] == 'purchase' else 'purchase')
            q['channel'], q['pin'] = 'qr', False
            for k in ('pan', 'bank', 'bin'):
                q.pop(k, None)
            q['tries'] = p['tries'] + 1
        elif change == 'card':
            q = self.new_params(t, p['type'])
            q['tries'] = p['tries'] + 1
        self.push(t + self.rng.uniform(lo, hi), 5, 'txn', q)

    def fail_timeout(self, t, p, stan, cause, f, key='COMM_RECV', det=None, lat=None):
        lat = lat if lat is not None else self.V['tmo']
        te = t + lat / 1000.0
        self.txn_rec(te, p, stan, timed_out=True, lat=lat, cause=cause, f=f)
        if self.roll(self.V['err_tmo']):
            self.err(te + self.rng.uniform(0, 2), key, cause, f, stan=stan, det=det)
        if p['channel'] != 'qr' and p['type'] in ('purchase', 'preauth', 'completion', 'refund'):
            self.rev.append((stan, p))
        return te

    def fail_conn(self, t, p, stan, cause, f, det=None):
        te = t + self.rng.uniform(3, 30)
        self.err(te, 'COMM_CONN', cause, f, stan=stan, det=det, rssi=self.rssi(t) or '')
        return te

    def local_fail(self, t, key, cause, f, p, stan=None, retry=0.5, det=None, **kw):
        te = t + self.rng.uniform(2, 15)
        self.err(te, key, cause, f, stan=stan, det=det, **kw)
        self.retry(te, p, retry)

    def attempt(self, t, p):
        if self.depth > 0:
            return
        T, rng, V = self.T, self.rng, self.V
        card = p['channel'] != 'qr'
        # ---------------- terminal side, before anything is sent ----------
        for f, L in self.active('resource.storage', t):
            st = self.storage(t)
            if st >= 97.5 and self.roll(min(1.0, (st - 97.0) / 2.5)):
                return self.local_fail(t, 'STORAGE', 'resource.storage', f, p, retry=0.3)
        for f, L in self.active('resource.memory', t):
            mem = self.memory(t)
            if mem >= 97:
                self.err(t + 2, 'MEMORY', 'resource.memory', f)
                self.cnt['app_crashes'] += 1
                self.mem_reset = t + 60
                self.dyn_reboot(t + 3, rng.choice(['watchdog', 'crash']), rng.uniform(40, 90))
                return self.retry(t, p, 0.6, 120, 240)
            if mem >= 88 and self.roll((mem - 88) / 12.0):
                return self.local_fail(t, 'MEMORY', 'resource.memory', f, p, retry=0.6)
        for f, L in self.active('power.battery', t):
            b = self.battery(t)
            if b <= 0.5:
                self.go_off(t, 'power_loss')
                f.p['recharged'] = (rng.uniform(6, 12), t + rng.uniform(300, 900))
                self.push(f.p['recharged'][1], 1, 'on')
                f.mark(T.tid, t)
                return
            if b < 10 and self.roll(0.85):
                return self.local_fail(t, 'LOW_BATT', 'power.battery', f, p, retry=0.3, bat=int(b))
            if b < 25 and self.roll(0.12):     # sudden shutdown under load
                self.go_off(t, 'power_loss')
                self.push(t + rng.uniform(60, 240), 1, 'on')
                f.mark(T.tid, t)
                return
        for f, L in self.active('hardware.board', t):
            if self.roll(L * 0.6):
                return self.local_fail(t, 'BOARD', 'hardware.board', f, p, retry=0.5)
        bug = self.bug_active(t)
        if bug:
            f = bug
            mult = 1.0
            if f.p['trig']:
                mult = 2.2 if (p['channel'] == f.p['trig'] or p['type'] == f.p['trig']) else 0.15
            if self.roll(min(0.95, f.sev * mult)):
                te = t + rng.uniform(2, 20)
                stan = self.next_stan() if self.roll(0.5) else None
                self.err(te, 'APP_CRASH', 'software.bug', f, stan=stan, ver=f.p['ver'])
                self.cnt['app_crashes'] += 1
                self.dyn_reboot(te + 1, 'crash', rng.uniform(25, 70))
                return self.retry(te, p, 0.6, 90, 200)
        for f, L in self.active('hardware.display', t):
            if self.roll(L * 0.7):
                key = 'DISPLAY' if self.roll(0.6) else 'OP_CANCEL'
                return self.local_fail(t, key, 'hardware.display', f, p, retry=0.4)
        for f, L in self.active('operator.error', t):
            if self.roll(L * 0.5):
                key = rng.choice(['OP_CANCEL', 'OP_INPUT', 'OP_CARD' if card else 'OP_INPUT'])
                return self.local_fail(t, key, 'operator.error', f, p, retry=0.8)
        if self.roll(0.0025):
            key = rng.choice(['OP_CANCEL', 'OP_INPUT'] + (['OP_CARD'] if card else []))
            return self.local_fail(t, key, 'operator.error', None, p, retry=0.8)
        # card read
        if card:
            for f, L in self.active('hardware.card_reader', t):
                hitch = {'ic': 'card_ic', 'nfc': 'nfc', 'mag': 'card_swipe'}[f.p['variant']]
                if p['channel'] == hitch and self.roll(L):
                    te = t + rng.uniform(3, 12)
                    self.err(te, 'CARD_READ', 'hardware.card_reader', f)
                    self.cnt['card_reader_errors'] += 1
                    r = rng.random()
                    if p['tries'] == 0 and r < 0.7:            # re-insert / re-tap the same card
                        self.retry(te, p, 1.0, 5, 30)
                    elif hitch == 'card_ic' and r < 0.85:      # magstripe fallback
                        self.retry(te, p, 1.0, 10, 40, change='swipe')
                    else:
                        self.retry(te, p, 0.8, 10, 60, change='qr')
                    return
            for f, L in self.active('hardware.board', t):
                if self.roll(0.08):
                    self.cnt['card_reader_errors'] += 1
        # PIN entry
        stuck = None
        if p.get('pin'):
            for f, L in self.active('hardware.keypad', t):
                if self.roll(L):
                    if self.roll(f.p['stuck']):
                        stuck = f
                    else:
                        self.cnt['keypad_errors'] += rng.randint(1, 3)
                        return self.local_fail(t, 'PIN_PAD', 'hardware.keypad', f, p, retry=0.6)
        for f, L in self.active('security.keys', t):
            if f.p['variant'] == 'missing':
                return self.local_fail(t, 'KEY_MISSING', 'security.keys', f, p, stan=self.next_stan(), retry=0.5)
        for f, L in self.active('software.config', t):
            if f.p['variant'] == 'host_addr':
                stan = self.next_stan()
                te = t + rng.uniform(2, 20)
                self.err(te, 'COMM_CONN', 'software.config', f, stan=stan, det=DET_CFG_HOST, ip=f.p['bad_ip'])
                return self.retry(te, p, 0.6)
            if f.p['variant'] == 'mid':
                p['mid_override'] = f.p['bad_mid']
        stan = self.next_stan()
        # ---------------- link -------------------------------------------
        for f, cause, prob, kind in self.net_levels(t):
            if self.roll(prob):
                det = {'network.lan': DET_LAN, 'network.carrier': DET_CARRIER,
                       'network.signal': DET_SIGNAL}.get(cause)
                if kind == 'down' and self.roll(0.6) or (kind == 'degraded' and self.roll(0.3)):
                    te = self.fail_conn(t, p, stan, cause, f, det)
                else:
                    te = self.fail_timeout(t, p, stan, cause, f)
                return self.retry(te, p, 0.55, 20, 120, change='qr' if self.roll(0.2) and card else None)
        if self.roll(0.0018):      # odd transient timeout: a momentary fade / link blip
            cause = 'network.lan' if T.network == 'ethernet' else 'network.signal'
            te = self.fail_timeout(t, p, stan, cause, None)
            return self.retry(te, p, 0.7, 15, 60)
        # TLS
        for f, L in self.active('security.certificate', t):
            te = t + rng.uniform(1, 5)
            if f.p.get('variant') == 'clock':
                self.err(te, 'TLS', 'security.certificate', f, stan=stan, det=DET_CERT_CLK,
                         clk='2000-01-0%d' % rng.randint(1, 9))
            else:
                self.err(te, 'TLS', 'security.certificate', f, stan=stan, det=DET_CERT_EXP,
                         na=iso(T.cert_not_after))
            return self.retry(te, p, 0.5, 20, 90)
        # cpu: slow terminal
        extra = 0.0
        for f, L in self.active('resource.cpu', t):
            if self.roll(L * 0.45):
                te = self.fail_timeout(t, p, stan, 'resource.cpu', f, key='BUSY')
                return self.retry(te, p, 0.5, 30, 120)
            extra += L * rng.uniform(4000, 20000)
            f.mark(T.tid, t)
        # corruption in transit
        for f, L in self.active('transmission.corruption', t):
            if self.roll(L):
                r = rng.random()
                lat = self.latency(t, p) + extra
                if r < 0.4:
                    self.txn_rec(t + lat / 1000.0, p, stan, rc='30', lat=lat, cause='transmission.corruption', f=f)
                    te = t + lat / 1000.0
                elif r < 0.65:
                    self.txn_rec(t + lat / 1000.0, p, stan, rc='A0', lat=lat, cause='transmission.corruption', f=f)
                    te = t + lat / 1000.0
                    if self.roll(0.5):
                        self.err(te + 1, 'MAC', 'transmission.corruption', f, stan=stan, rc='A0')
                else:
                    te = t + rng.uniform(2, 8)
                    self.err(te, 'PACKET', 'transmission.corruption', f, stan=stan)
                    if card:
                        self.rev.append((stan, p))
                return self.retry(te, p, 0.7, 10, 60)
        # config: NII/TPDU wrong -> host front end drops the message
        for f, L in self.active('software.config', t):
            if f.p['variant'] == 'nii':
                te = self.fail_timeout(t, p, stan, 'software.config', f)
                return self.retry(te, p, 0.5)
        # ---------------- acquirer host -------------------------------------
        lat = self.latency(t, p) + extra
        for f, L in self.active('upstream.acquirer', t):
            if T.host != f.scope['host']:
                continue
            if f.p['mode'] == 'overload':
                lat *= 1 + (f.p['slow'] - 1) * L / max(f.sev, 0.01) * rng.uniform(0.5, 1.0)
            if self.roll(L):
                if self.roll(0.7):
                    te = self.fail_timeout(t, p, stan, 'upstream.acquirer', f)
                else:
                    lat2 = lat + rng.uniform(1000, 8000)
                    te = t + lat2 / 1000.0
                    self.txn_rec(te, p, stan, rc=rng.choice(['96', '96', '91']), lat=lat2,
                                 cause='upstream.acquirer', f=f)
                return self.retry(te, p, 0.5, 30, 150, change='qr' if card and self.roll(0.3) else None)
            if lat > V['tmo']:
                te = self.fail_timeout(t, p, stan, 'upstream.acquirer', f)
                return self.retry(te, p, 0.5, 30, 150)
            f.mark(T.tid, t) if f.p['mode'] == 'overload' else None
        te = t + lat / 1000.0
        # host-side checks, in the order a front end applies them
        for f, L in self.active('software.incompatible', t):
            cur = self.app if f.p['kind'] == 'app' else self.fw
            if cur == f.p['ver'] and self.roll(L):
                self.txn_rec(te, p, stan, rc='30', lat=lat, cause='software.incompatible', f=f)
                if self.roll(0.5):
                    self.err(te + 1, 'PACKET', 'software.incompatible', f, stan=stan, det=DET_INCOMPAT,
                             ver=cur)
                return self.retry(te, p, 0.5, 20, 90)
        for f, L in self.active('software.config', t):
            v = f.p['variant']
            if v in ('tid', 'mid', 'keyidx'):
                rc = {'tid': '97', 'mid': '03', 'keyidx': 'A0'}[v]
                self.txn_rec(te, p, stan, rc=rc, lat=lat, cause='software.config', f=f)
                if v == 'keyidx' and self.roll(0.5):
                    self.err(te + 1, 'MAC', 'software.config', f, stan=stan, rc=rc)
                elif v != 'keyidx' and self.roll(0.3):
                    self.err(te + 1, 'CONFIG', 'software.config', f, stan=stan)
                return self.retry(te, p, 0.5, 20, 90)
        for f, L in self.active('security.keys', t):
            v = f.p['variant']
            if v == 'mak' or (v == 'pik' and p.get('pin')):
                rc = 'A0' if v == 'mak' else '99'
                self.txn_rec(te, p, stan, rc=rc, lat=lat, cause='security.keys', f=f)
                if v == 'mak' and self.roll(0.6):
                    self.err(te + 1, 'MAC', 'security.keys', f, stan=stan, rc=rc)
                return self.retry(te, p, 0.5, 20, 90)
        for f, L in self.active('business.merchant', t):
            if self.roll(L):
                rc = '03' if f.p['variant'] == 'frozen' else rng.choice(['03', '58', '03'])
                self.txn_rec(te, p, stan, rc=rc, lat=lat, cause='business.merchant', f=f)
                return self.retry(te, p, 0.5, 20, 90, change='card' if self.roll(0.3) else None)
        for f, L in self.active('business.txn_type', t):
            if p['type'] in f.p['types']:
                self.txn_rec(te, p, stan, rc=f.p['code'], lat=lat, cause='business.txn_type', f=f)
                return self.retry(te, p, 0.6, 30, 180)
        for f, L in self.active('business.limit', t):
            if p['type'] in ('purchase', 'preauth', 'completion'):
                if (f.p['variant'] == 'amount' and p['amount'] > f.p['limit']) or \
                        (f.p['variant'] == 'count' and self.roll(L)):
                    self.txn_rec(te, p, stan, rc=f.p['code'], lat=lat, cause='business.limit', f=f)
                    return self.retry(te, p, 0.4, 30, 120, change='card')
        for f, L in self.active('business.risk', t):
            if self.roll(L):
                self.txn_rec(te, p, stan, rc=rng.choice(f.p['codes']), lat=lat, cause='business.risk', f=f)
                return self.retry(te, p, 0.4, 30, 120, change='card')
        # ---------------- issuer -------------------------------------------
        if card and p['type'] != 'void':
            for f in T.faults.get('upstream.issuer', ()):
                L = f.level(t)
                if L > 0 and p['bin'] in f.p['bins'] and self.roll(L):
                    r = rng.random()
                    if r < 0.2:
                        te = self.fail_timeout(t, p, stan, 'upstream.issuer', f)
                    else:
                        lat2 = lat + rng.uniform(2000, 15000)
                        te = t + lat2 / 1000.0
                        self.txn_rec(te, p, stan, rc='91' if r < 0.8 else '98', lat=lat2,
                                     cause='upstream.issuer', f=f)
                    return self.retry(te, p, 0.6, 20, 100, change='card' if self.roll(0.5) else 'qr')
        if stuck is not None:
            self.txn_rec(te, p, stan, rc='55', lat=lat, cause='hardware.keypad', f=stuck)
            return self.retry(te, p, 0.7, 15, 60)
        if p['type'] in ('void', 'refund') and self.roll(0.02):
            self.txn_rec(te, p, stan, rc=rng.choice(['25', '12', '13']), lat=lat, cause='operator.error')
            return self.retry(te, p, 0.5, 15, 60)
        for f, L in self.active('operator.error', t):
            if self.roll(L * 0.25):
                rc = rng.choice(['25', '94', '13', '12'])
                self.txn_rec(te, p, stan, rc=rc, lat=lat, cause='operator.error', f=f)
                return self.retry(te, p, 0.7, 15, 60)
        # ordinary declines
        if p['type'] in ('purchase', 'preauth', 'balance', 'completion'):
            pd = 0.03 if card else 0.007
            if self.roll(pd):
                if card:
                    rc = wchoice(rng, *zip(*BG_DECLINE)) if p.get('pin') else wchoice(rng, *zip(*BG_DECLINE_NOPIN))
                else:
                    rc = rng.choice(['51', '51', '05'])
                self.txn_rec(te, p, stan, rc=rc, lat=lat, cause='card.decline')
                self.flush_rev(te)
                return self.retry(te, p, 0.45, 20, 90, change='card' if self.roll(0.5) else 'qr')
        # ---------------- approved -------------------------------------------
        self.txn_rec(te, p, stan, rc='00', lat=lat)
        self.flush_rev(te)
        if p['type'] == 'purchase':
            self.last_ok.append((stan, p))
            self.last_ok = self.last_ok[-20:]
            if self.roll(0.012):       # cashier keyed a wrong amount: void it
                q = dict(p)
                q.update(type='void', orig=stan, tries=0)
                self.push(te + rng.uniform(20, 240), 5, 'txn', q)
        if p['type'] == 'preauth':
            self.last_preauth.append((stan, p['amount'], {k: p[k] for k in ('channel', 'pan', 'bank', 'bin', 'pin')
                                                          if k in p}))
        if p['type'] in ('purchase', 'refund', 'void', 'preauth', 'completion'):
            for f, L in self.active('hardware.printer', t):
                if f.p['variant'] == 'paper_out' or self.roll(L):
                    key = 'PAPER_OUT' if f.p['variant'] == 'paper_out' else 'PRINTER_FAULT'
                    self.err(te + rng.uniform(2, 6), key, 'hardware.printer', f, stan=stan)
        return None

    def flush_rev(self, t):
        while self.rev:
            stan0, p0 = self.rev.pop(0)
            t += self.rng.uniform(0.5, 2)
            q = {'type': 'reversal', 'channel': p0['channel'], 'amount': p0['amount'], 'orig': stan0}
            if 'pan' in p0:
                q['pan'] = p0['pan']
            self.txn_rec(t, q, self.next_stan(), rc='00', lat=self.T.rtt * 4 + self.rng.uniform(200, 500))

    def latency(self, t, p):
        base = self.T.rtt * 4 + (self.rng.uniform(800, 2500) if p['channel'] == 'qr' else self.rng.uniform(350, 950))
        if self.T.weak:
            base += self.rng.uniform(0, 800)
        return base

    def bug_active(self, t):
        for f in self.T.faults.get('software.bug', ()):
            u = f.p['upd'].get(self.T.tid)
            if u is not None and self.upd_done.get(f.fid) and t >= u and f.level(t) > 0:
                return f
        return None

    # ---- main loop --------------------------------------------------------
    def build_events(self):
        W, T, rng = self.W, self.T, self.rng
        t0, t1 = W.t0, W.t_end
        # on/off from opening hours
        self.online = False
        off_iv = []
        prev = t0 - 3 * DAY
        for s, e in T.on_iv:
            if s > prev:
                off_iv.append((prev, s))
            prev = max(prev, e)
        off_iv.append((prev, t1 + 3 * DAY))
        for s, e in off_iv:
            if s <= t0 < e:
                self.go_off(t0, 'user')
                self.push(e, 1, 'on') if e < t1 else None
            elif t0 < s < t1:
                self.push(s, 0, 'off', 'user')
                if e < t1:
                    self.push(e, 1, 'on')
        if self.depth == 0:
            self.online = True
        # power sags for terminals without battery
        for f in T.faults.get('power.supply', ()):
            if not T.battery:
                for a, b in f.p['sags']:
                    self.push(a, 0, 'off', 'power_loss')
                    self.push(b + rng.uniform(40, 90), 1, 'on')
        # telemetry
        iv = self.V['tele']
        t = t0 + rng.uniform(0, iv)
        while t < t1:
            self.push(t, 4, 'tele')
            t += iv * rng.uniform(0.97, 1.03)
        # transactions (thinning over the opening hours)
        C = CATS[T.site['cat']]
        prof = PROFILES[C['prof']]
        rmax = C['rate'] * RATE_SCALE * T.share * 1.25 / 3600.0
        for s, e in T.open_iv:
            a, b = max(s, t0), min(e, t1)
            t = a
            while True:
                t += rng.expovariate(rmax)
                if t >= b:
                    break
                h = int(lhour(t))
                if rng.random() < prof[h] / 1.25:
                    self.push(t, 5, 'txn', None)
            for (bs, be, types, mult) in T.type_boost:
                lo, hi = max(a, bs), min(b, be)
                t = lo
                r2 = C['rate'] * 0.04 * mult / 3600.0
                while hi > lo:
                    t += rng.expovariate(r2)
                    if t >= hi:
                        break
                    self.push(t, 5, 'txn', {'force': rng.choice(types)})
        # software updates (fault rollouts and the benign one)
        for f in T.faults.get('software.bug', ()):
            u = f.p['upd'].get(T.tid)
            if u is not None:
                self.push(u, 2, 'upd', ('bug', f))
        bv, bver, bupd = self.benign
        if T.tid in bupd:
            self.push(bupd[T.tid], 2, 'upd', ('benign', bver))
        # board: watchdog reboots
        for f in T.faults.get('hardware.board', ()):
            t = f.start + rng.uniform(60, 300)
            while t < min(f.end, t1):
                self.push(t, 3, 'wdog', f)
                t += rng.expovariate(1.0 / f.p['reboot_every'])
        # idle crashes of a buggy version
        # (scheduled lazily from telemetry ticks)
        # maintenance
        if rng.random() < 0.25:
            for s, e in T.on_iv:
                if t0 < s + 600 < t1:
                    self.push(s + rng.uniform(300, 1800), 3, 'maint', ('daily_check', rng.choice(
                        ['电源、键盘、屏幕正常', '日检完成', 'daily check ok', '外观、连接线正常'])))
        if rng.random() < 0.04:
            self.push(t0 + rng.uniform(0, t1 - t0), 3, 'maint', ('weekly_clean', rng.choice(['清洁读卡槽和打印机', 'cleaned'])))
        for cause, lst in T.faults.items():
            for f in lst:
                self.fault_hooks(f)
        # risk burst
        for f in T.faults.get('business.risk', ()):
            for bt, tid, amt in f.p['burst']:
                if tid == T.tid and t0 <= bt < t1:
                    p = self.new_params(bt, 'purchase')
                    if p['channel'] == 'qr':
                        p['channel'] = 'card_swipe'
                        bank = rng.choice(BANKS[:6])
                        p['bank'], p['bin'] = bank[0], bank[2][0]
                        p['pan'] = '%s******%04d' % (p['bin'], rng.randint(0, 9999))
                    p['amount'] = amt
                    p['pin'] = True
                    self.push(bt, 5, 'txn', p)

    def fault_hooks(self, f):
        W, T, rng = self.W, self.T, self.rng
        if f.cause in ('software.config',) and W.t0 < f.start < W.t_end and rng.random() < 0.6:
            self.push(f.start - rng.uniform(30, 300), 3, 'maint', ('repair', rng.choice(
                ['TMS参数下发', 'parameters pushed from TMS', '重新配置终端参数'])))
        if f.cause == 'security.keys' and W.t0 < f.start < W.t_end:
            self.push(f.start - rng.uniform(5, 60), 3, 'reboot', 'user')
        if f.end < W.t_end - 120:
            notes = {
                'hardware.printer': ('part_replaced', ['装纸', 'loaded paper roll', '更换打印机芯']),
                'hardware.card_reader': ('part_replaced', ['更换读卡器', 'card reader replaced']),
                'hardware.keypad': ('part_replaced', ['更换密码键盘', 'keypad replaced']),
                'hardware.display': ('part_replaced', ['更换屏幕', 'LCD replaced']),
                'resource.storage': ('repair', ['结算并清理交易流水', 'settled and cleaned storage']),
                'software.config': ('repair', ['重新下载参数', 'parameters corrected']),
                'security.keys': ('repair', ['重新签到下载密钥', 'key re-injection']),
                'security.certificate': ('repair', ['更新证书', 'certificate renewed']),
                'power.battery': ('part_replaced', ['更换电池', 'battery replaced']),
                'resource.memory': ('repair', ['重装应用', 'app reinstalled']),
            }.get(f.cause)
            if notes and rng.random() < 0.6:
                self.push(f.end + rng.uniform(0, 60), 3, 'maint', (notes[0], rng.choice(notes[1])))
            if f.cause == 'resource.storage':
                self.storage_cleared = f.end

    def run(self):
        W, T, rng = self.W, self.T, self.rng
        self.build_events()
        t1 = W.t_end
        while self.heap:
            t, pr, _, kind, data = heapq.heappop(self.heap)
            if t >= t1:
                break
            if kind == 'off':
                was_on = self.depth == 0
                self.go_off(t, data)
                if data == 'power_loss' and was_on:
                    for f in T.faults.get('power.supply', ()):
                        if f.start - 1 <= t <= f.end:
                            f.mark(T.tid, t)
            elif kind == 'on':
                self.go_on(t)
            elif kind == 'tele':
                self.tele(t)
                if self.depth == 0:
                    self.tick_warnings(t)
                bug = self.bug_active(t)
                if bug and self.depth == 0 and rng.random() < bug.p['idle_rate'] * bug.sev * self.V['tele'] / 3600.0:
                    self.err(t + rng.uniform(1, 20), 'APP_CRASH', 'software.bug', bug, ver=bug.p['ver'])
                    self.cnt['app_crashes'] += 1
                    self.dyn_reboot(t + 21, 'crash', rng.uniform(25, 70))
            elif kind == 'txn':
                if (data is None or 'force' in data) and t < self.avoid_until and rng.random() < 0.85:
                    continue
                if data is None:
                    p = self.new_params(t)
                elif 'force' in data:
                    p = self.new_params(t, data['force'])
                else:
                    p = data
                if p['type'] == 'void' and 'orig' not in p:
                    p['type'] = 'purchase'
                self.attempt(t, p)
            elif kind == 'upd':
                what, x = data
                if self.depth > 0:
                    self.push(t + 300, 2, 'upd', data)
                    continue
                if what == 'bug':
                    f = x
                    if f.p['kind'] == 'fw':
                        self.fw = f.p['ver']
                        self.changed['firmware'] = self.fw
                    else:
                        self.app = f.p['ver']
                        self.changed['app_version'] = self.app
                    self.upd_done[f.fid] = True
                else:
                    self.fw = x
                    self.changed['firmware'] = x
                if rng.random() < 0.5:
                    self.emit(t, {'kind': 'maintenance', 'ts': None, 'terminal_id': T.tid,
                                  'action': 'firmware_update',
                                  'notes': 'OTA %s -> %s' % ('app' if 'app_version' in self.changed else 'firmware',
                                                           self.changed.get('app_version',
                                                                            self.changed.get('firmware')))})
                self.dyn_reboot(t + 5, 'update', rng.uniform(60, 150))
            elif kind == 'wdog':
                if self.depth == 0:
                    f = data
                    if rng.random() < 0.5:
                        self.err(t, 'BOARD', 'hardware.board', f)
                    self.dyn_reboot(t + 1, 'watchdog', rng.uniform(40, 100))
                    f.mark(T.tid, t)
            elif kind == 'reboot':
                if self.depth == 0:
                    self.dyn_reboot(t, data, rng.uniform(40, 90))
            elif kind == 'maint':
                if self.depth == 0 or data[0] != 'daily_check':
                    self.emit(t, {'kind': 'maintenance', 'ts': None, 'terminal_id': T.tid, 'action': data[0],
                                  'notes': data[1]})
        # per-terminal time order
        self.recs.sort(key=lambda x: (x[0], x[1]))
        return self.recs, self.truth


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

def inventory_records(W):
    out = []
    ts = iso(W.inv_ts)
    for m in W.merchants:
        out.append({'kind': 'merchant', 'ts': ts, 'merchant_id': m['merchant_id'], 'name': m['name'],
                    'mcc': m['mcc'], 'city': m['city'], 'settlement': m['settlement'],
                    'card_rate': m['card_rate'], 'qr_rate': m['qr_rate']})
    for s in W.sites:
        out.append({'kind': 'site', 'ts': ts, 'site_id': s['site_id'], 'merchant_id': s['merchant_id'],
                    'name': s['name'], 'city': s['city'], 'lat': s['lat'], 'lon': s['lon']})
    for T in W.terms:
        r = {'kind': 'terminal', 'ts': ts, 'terminal_id': T.tid, 'serial': T.serial, 'vendor': T.vendor,
             'model': T.model, 'firmware': T.fw, 'app_version': T.app, 'merchant_id': T.merchant['merchant_id'],
             'site_id': T.site['site_id'], 'network': T.network}
        if T.carrier:
            r['carrier'] = T.carrier
        r['host'] = T.host
        r['cert_not_after'] = iso(T.cert_not_after)
        r['installed'] = iso(T.installed)
        out.append(r)
    return out


def people_records(W, faults, rng):
    """complaints and technicians' checks around some faults"""
    out = []
    for f in faults:
        if not f.hit or f.first_fail is None:
            continue
        tids = sorted(f.hit)
        T = W.tmap[tids[0]]
        top = [c for c, _ in f.codes.most_common(2)]
        if f.cause == 'upstream.issuer' and rng.random() < 0.6:
            out.append((f.first_fail + rng.uniform(900, 2400), {
                'kind': 'complaint', 'complaint_id': 'C-%s' % f.fid, 'from': 'customer',
                'merchant_id': T.merchant['merchant_id'], 'terminal_id': T.tid,
                'text': '我的%s卡刷了好几次都失败，别的卡可以' % BANK_NAMES.get(f.p['bank'], '')}))
            continue
        if 'site_id' in f.scope or 'merchant_id' in f.scope or f.cause in ('upstream.acquirer',) or \
                ('terminal_id' in f.scope and rng.random() < 0.3):
            if rng.random() < 0.55:
                code = top[0] if top else ''
                if len(tids) > 1:
                    text = rng.choice(['店里的POS机都刷不了卡，一直显示%s' % code,
                                       '今天下午好几台机器交易失败（%s），顾客只能扫码' % code,
                                       '收银台POS全部报%s，请尽快处理' % code])
                else:
                    text = rng.choice(['POS机一直提示%s，交易做不了' % code, '刷卡老是失败 %s' % code,
                                       '有一台机器总是出错，显示%s' % code])
                rec = {'kind': 'complaint', 'complaint_id': 'C-%s' % f.fid, 'from': 'merchant',
                       'merchant_id': T.merchant['merchant_id']}
                if len(tids) == 1:
                    rec['terminal_id'] = T.tid
                rec['text'] = text
                out.append((f.first_fail + rng.uniform(600, 2400), rec))
        if f.end < W.t_end and rng.random() < 0.5:
            if f.cause == 'network.lan':
                out.append((f.end - 30, {'kind': 'check', 'site_id': f.scope['site_id'], 'name': 'router_restarted',
                                         'result': 'ok'}))
            elif f.cause == 'power.supply':
                out.append((f.end + 300, {'kind': 'check', 'site_id': f.scope['site_id'],
                                          'name': 'adapter_voltage', 'result': '%.1fV' % (T.vnom * 0.98)}))
            elif f.cause == 'hardware.printer':
                out.append((f.end - 30, {'kind': 'check', 'terminal_id': T.tid, 'name': 'printer_paper',
                                         'result': 'fail' if f.p['variant'] == 'paper_out' else 'ok'}))
    res = []
    for t, r in out:
        if t < W.t_end + 600:
            r = dict(r)
            r['ts'] = iso(t)
            res.append((int(t), r))
    return res


def order_key(r):
    k = r['kind']
    head = ['kind', 'ts', 'terminal_id', 'merchant_id', 'site_id']
    return {x: r[x] for x in head if x in r} | {x: v for x, v in r.items() if x not in head}


def generate(seed, out, hours, n_term, n_faults):
    t_start = time.time()
    # Placement pre-pass: a fault placed where nobody pays (or that never bites) is re-placed.
    # Terminals simulate independently, so the members of the small faults are simulated alone
    # to judge a placement; the chosen plan is then rebuilt and the whole fleet simulated.
    chosen, best = 0, None
    for attempt in range(8):
        W = build_world(seed, n_term, hours)
        P = Planner(W, random.Random(seed * 104729 + 3 + 1000003 * attempt))
        faults = P.plan(n_faults)
        small = [f for f in faults if len(f.members) <= 40]
        tids = sorted({tid for f in small for tid in f.members})
        for tid in tids:
            Sim(W, W.tmap[tid], P.benign).run()
        weak = sum(1 for f in small if not f.hit or f.fails < 5)
        if best is None or weak < best:
            chosen, best = attempt, weak
        if weak == 0:
            break
    attempt = chosen
    W = build_world(seed, n_term, hours)
    prng = random.Random(seed * 104729 + 3 + 1000003 * attempt)
    P = Planner(W, prng)
    faults = P.plan(n_faults)
    all_recs = []
    truth_ev = []
    for T in W.terms:
        S = Sim(W, T, P.benign)
        recs, tr = S.run()
        all_recs.append((T.tid, recs))
        truth_ev.extend(tr)
    W.attempts = attempt + 1
    # delivery order: each terminal's export lags by 0-55 s (varying per 10-minute block),
    # kept monotone per terminal so its own records stay in time order
    drng = random.Random(seed * 31 + 7)
    keyed = []
    for tid, recs in all_recs:
        slow = drng.random() < 0.35
        lag_cache = {}
        last = -1e18
        for sq, (ts, _sq, rec) in enumerate(recs):
            blk = ts // 600
            if blk not in lag_cache:
                lag_cache[blk] = drng.uniform(0, 55) if slow else drng.uniform(0, 4)
            k = max(ts + lag_cache[blk], last)
            last = k
            keyed.append((k, ts, tid, sq, rec))
    for ts, rec in people_records(W, faults, prng):
        keyed.append((ts, ts, '~', 0, rec))
    keyed.sort(key=lambda x: (x[0], x[2], x[3]))
    os.makedirs(out, exist_ok=True)
    inv = inventory_records(W)
    with open(os.path.join(out, 'records.jsonl'), 'w', encoding='utf-8') as fh:
        for r in inv:
            fh.write(json.dumps(r, ensure_ascii=False, separators=(',', ':')) + '\n')
        for k, ts, tid, sq, rec in keyed:
            fh.write(json.dumps(order_key(rec), ensure_ascii=False, separators=(',', ':')) + '\n')
    truth_ev.sort(key=lambda x: (x[0], x[1]['terminal_id']))
    with open(os.path.join(out, 'truth.jsonl'), 'w', encoding='utf-8') as fh:
        for f in faults:
            rec = {'kind': 'truth', 'fault_id': f.fid, 'cause': f.cause, 'scope': f.scope,
                   'terminals': sorted(f.hit), 'start': iso(f.start), 'end': iso(f.end)}
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(',', ':')) + '\n')
        for ts, ev in truth_ev:
            fh.write(json.dumps(ev, ensure_ascii=False, separators=(',', ':')) + '\n')
    gen_s = time.time() - t_start
    return W, faults, gen_s


# ---------------------------------------------------------------------------
# Self check
# ---------------------------------------------------------------------------

def parse_ts(s):
    return calendar.timegm(time.strptime(s, '%Y-%m-%dT%H:%M:%SZ'))


def check(out, W):
    problems = []
    kinds = Counter()
    failed = Counter()
    last_ts = {}
    run_max = -1
    max_back = 0
    terms = set()
    n = 0
    import re
    pan_re = re.compile(r'^\d{6}\*{6}\d{4}$')
    digits_re = re.compile(r'\d{13,19}')
    time_re = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
    time_fields = ('ts', 'cert_not_after', 'installed')
    with open(os.path.join(out, 'records.jsonl'), encoding='utf-8') as fh:
        for i, line in enumerate(fh, 1):
            n += 1
            try:
                r = json.loads(line)
            except ValueError:
                problems.append('line %d: bad json' % i)
                continue
            k = r.get('kind')
            if not k:
                problems.append('line %d: no kind' % i)
                continue
            kinds[k] += 1
            ts = r.get('ts')
            if not ts or not ts.endswith('Z'):
                problems.append('line %d: bad ts' % i)
                continue
            t = parse_ts(ts)
            for tf in time_fields:
                if tf in r and not time_re.match(r[tf]):
                    problems.append('line %d: %s not RFC 3339 Z' % (i, tf))
            if 'terminal_id' in r and len(r['terminal_id']) != 8:
                problems.append('line %d: TID length' % i)
            if 'merchant_id' in r and len(r['merchant_id']) != 15:
                problems.append('line %d: MID length' % i)
            if 'pan' in r and not pan_re.match(r['pan']):
                problems.append('line %d: unmasked pan' % i)
            if digits_re.search(line.replace(r.get('merchant_id', '#'), '')):
                if k not in ('merchant', 'site', 'terminal'):
                    problems.append('line %d: long digit run (PAN?)' % i)
            if k == 'terminal':
                terms.add(r['terminal_id'])
            if k in ('merchant', 'site', 'terminal'):
                continue
            if run_max >= 0:
                max_back = max(max_back, run_max - t)
            run_max = max(run_max, t)
            tid = r.get('terminal_id')
            if tid and k in ('telemetry', 'txn', 'error', 'maintenance'):
                if tid in last_ts and t < last_ts[tid]:
                    problems.append('line %d: terminal %s out of order' % (i, tid))
                last_ts[tid] = t
            if k == 'error':
                failed[(tid, ts, r['code'], r.get('stan'))] += 1
            elif k == 'txn':
                if r.get('timed_out'):
                    failed[(tid, ts, 'timeout', r.get('stan'))] += 1
                elif r.get('response_code') not in APPROVED:
                    failed[(tid, ts, r.get('response_code'), r.get('stan'))] += 1
    truth = Counter()
    tcause = Counter()
    n_truth = 0
    fault_causes = Counter()
    with open(os.path.join(out, 'truth.jsonl'), encoding='utf-8') as fh:
        for line in fh:
            r = json.loads(line)
            for tf in ('ts', 'start', 'end'):
                if tf in r and not time_re.match(r[tf]):
                    problems.append('truth: %s not RFC 3339 Z' % tf)
            if r['kind'] == 'truth':
                n_truth += 1
                fault_causes[r['cause']] += 1
                if not r['terminals']:
                    problems.append('truth %s (%s) affected no terminal' % (r['fault_id'], r['cause']))
            else:
                truth[(r['terminal_id'], r['ts'], r['code'], r.get('stan'))] += 1
                tcause[r['cause']] += 1
    if truth != failed:
        miss = failed - truth
        extra = truth - failed
        problems.append('truth_event mismatch: %d failed events without truth, %d truth without event'
                        % (sum(miss.values()), sum(extra.values())))
    if max_back > 60:
        problems.append('out-of-order span %ds > 60s' % max_back)
    return dict(records=n, kinds=kinds, terminals=len(terms), failed=sum(failed.values()),
                fault_causes=fault_causes, event_causes=tcause, max_back=max_back, problems=problems)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--hours', type=float, default=6)
    ap.add_argument('--terminals', type=int, default=300)
    ap.add_argument('--faults', type=int, default=20)
    ap.add_argument('--no-check', action='store_true', help='skip the self check')
    a = ap.parse_args()
    t0 = time.time()
    W, faults, gen_s = generate(a.seed, a.out, a.hours, a.terminals, a.faults)
    err = sys.stderr
    print('seed %d: %s .. %s (%.1f h), generated in %.1fs (placement attempt %d)' % (
        a.seed, iso(W.t0), iso(W.t_end), a.hours, gen_s, W.attempts), file=err)
    if a.no_check:
        return 0
    c = check(a.out, W)
    print('  records %d (%s)' % (c['records'], ', '.join('%s %d' % kv for kv in sorted(c['kinds'].items()))),
          file=err)
    print('  terminals %d, sites %d, merchants %d, cities %d, hosts %d' % (
        c['terminals'], len(W.sites), len(W.merchants), len(W.cities), len(W.hosts)), file=err)
    print('  faults %d: %s' % (sum(c['fault_causes'].values()),
                               ', '.join('%s %d' % kv for kv in sorted(c['fault_causes'].items()))), file=err)
    for f in faults:
        print('    %s %-24s %-44s %s..%s sev=%.2f terms=%d fails=%d' % (
            f.fid, f.cause, json.dumps(f.scope, ensure_ascii=False)[:44], iso(f.start)[11:16],
            iso(f.end)[11:16], f.sev, len(f.hit), f.fails), file=err)
    print('  failed events %d (truth_event by cause: %s)' % (
        c['failed'], ', '.join('%s %d' % kv for kv in c['event_causes'].most_common())), file=err)
    print('  max cross-terminal reorder %ds; checks %s; total %.1fs' % (
        c['max_back'], 'OK' if not c['problems'] else 'FAILED', time.time() - t0), file=err)
    for p in c['problems'][:20]:
        print('  PROBLEM: ' + p, file=err)
    return 1 if c['problems'] else 0


if __name__ == '__main__':
    sys.exit(main())
