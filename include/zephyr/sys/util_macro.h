/*
 * zephyr/sys/util_macro.h - Zephyr's preprocessor utilities: IS_ENABLED,
 * COND_CODE_0/1, IF_ENABLED, IS_EMPTY, IS_EQ, UTIL_* arithmetic on integer
 * literals, LISTIFY, FOR_EACH and friends, argument counting.
 *
 * Everything here expands to integer literals or to code, so the integer
 * results (IS_ENABLED, IS_EQ, IS_EMPTY, UTIL_INC ..., NUM_VA_ARGS) work in
 * `#if`, in BUILD_ASSERT and in static initialisers, as on Zephyr.
 *
 * Limits (Zephyr's recent releases go to 4095; code within these limits
 * behaves identically):
 *   - UTIL_INC, UTIL_DEC, UTIL_X2, IS_EQ, LISTIFY: integer literals 0..255
 *     (UTIL_INC(255) is 256, UTIL_DEC(0) is 0, UTIL_X2(255) is 510);
 *   - argument lists (NUM_VA_ARGS, FOR_EACH*, GET_ARG_N, GET_ARGS_LESS_N,
 *     REVERSE_ARGS, MACRO_MAP_CAT): 0..64 arguments, as Zephyr's;
 *   - CONCAT: 1..8 arguments, as Zephyr's.
 * Beyond a limit the result is undefined, as on Zephyr: usually a compile
 * error, but e.g. UTIL_INC(256) in an `#if` is an unknown identifier, 0.
 *
 * The tables at the end are generated once by a small script (integers
 * 0..255, lists of 64) and kept in this file; the macro names of the
 * implementation start with EMU_ (Zephyr's Z_ internals are not provided,
 * except __DEBRACKET, which applications use with LISTIFY separators).
 */
#ifndef ZEPHYR_INCLUDE_SYS_UTIL_MACRO_H_
#define ZEPHYR_INCLUDE_SYS_UTIL_MACRO_H_

/* ---- bits --------------------------------------------------------------- */
#ifndef BIT
#define BIT(n) (1UL << (n))
#endif
#define BIT64(n) (1ULL << (n))
#define BIT_MASK(n) (BIT(n) - 1UL)
#define BIT64_MASK(n) (BIT64(n) - 1ULL)
#define SET_BITS(bits_hi, bits_lo, val)                                                       \
	(((val) & ((1UL << ((bits_hi) - (bits_lo) + 1UL)) - 1UL)) << (bits_lo))
#define WRITE_BIT(var, bit, set) ((var) = (set) ? ((var) | BIT(bit)) : ((var) & ~BIT(bit)))
#define IS_POWER_OF_TWO(x) (((x) != 0U) && (((x) & ((x)-1U)) == 0U))
#define IS_BIT_MASK(m) ((((m) + 1U) & (m)) == 0U) /* m = 2^n - 1 (0 included) */
#define IS_SHIFTED_BIT_MASK(m, s) IS_BIT_MASK((m) >> (s))

/* ---- token pasting, brackets --------------------------------------------- */
#define UTIL_PRIMITIVE_CAT(a, ...) a##__VA_ARGS__
#define UTIL_CAT(a, ...) UTIL_PRIMITIVE_CAT(a, __VA_ARGS__)
#define EMU_CAT4(a, b, c, d) a##b##c##d
#define EMU_CAT5(a, b, c, d, e) a##b##c##d##e
#define __DEBRACKET(...) __VA_ARGS__
#define EMPTY
#define IDENTITY(V) V
#define UTIL_EVAL(...) __VA_ARGS__
#define UTIL_EXPAND(...) __VA_ARGS__

/* ---- IS_ENABLED, COND_CODE_x ----------------------------------------------
 * The flag is pasted to a prefix; only a flag that expands to the literal 1
 * (or 0) forms the name of a macro that expands to "something," and so
 * moves the wanted value to the second argument position. */
#define EMU_IS_ENABLED_PLACEHOLDER_1 0,
#define EMU_IS_ENABLED_TAKE_2(ignored, val, ...) val
#define EMU_IS_ENABLED_3(junk_or_comma) EMU_IS_ENABLED_TAKE_2(junk_or_comma 1, 0, ~)
#define EMU_IS_ENABLED_2(val) EMU_IS_ENABLED_3(EMU_IS_ENABLED_PLACEHOLDER_##val)
/* 1 when the macro is defined to 1, else 0; usable in #if and in C. */
#define IS_ENABLED(config) EMU_IS_ENABLED_2(config)

#define EMU_COND_IS_1_1 ~,
#define EMU_COND_IS_0_0 ~,
#define EMU_COND_PICK_(ignored, code, ...) __DEBRACKET code
#define EMU_COND_PICK(...) EMU_COND_PICK_(__VA_ARGS__)
#define EMU_COND_1(comma_or_not, if_code, else_code) EMU_COND_PICK(comma_or_not if_code, else_code, ~)
#define EMU_COND_CODE_1(flag, a, b) EMU_COND_1(EMU_COND_IS_1_##flag, a, b)
#define EMU_COND_CODE_0(flag, a, b) EMU_COND_1(EMU_COND_IS_0_##flag, a, b)
/* The code in brackets for a flag expanding to 1 (0), else the other. */
#define COND_CODE_1(flag, if_1_code, else_code) EMU_COND_CODE_1(flag, if_1_code, else_code)
#define COND_CODE_0(flag, if_0_code, else_code) EMU_COND_CODE_0(flag, if_0_code, else_code)
#define IF_ENABLED(flag, code) COND_CODE_1(flag, code, ())
#define IF_DISABLED(flag, code) COND_CODE_1(flag, (), code)

/* ---- argument counting, emptiness ------------------------------------------ */
#define EMU_ARG_N(...) EMU_ARG_N_(__VA_ARGS__)
/* 1 if the arguments contain a top-level comma (two or more), else 0. */
#define EMU_COMMA_N(...) EMU_COMMA_N_(__VA_ARGS__)
#define EMU_HAS_COMMA(...) EMU_COMMA_N(__VA_ARGS__, EMU_COMMA_SEQ_N)
#define EMU_TRIGGER_PAREN_(...) ,
#define EMU_IS_EMPTY_CASE_0001 ,
#define EMU_IS_EMPTY_4(a, b, c, d) EMU_HAS_COMMA(EMU_CAT5(EMU_IS_EMPTY_CASE_, a, b, c, d))
#define EMU_IS_EMPTY_(...)                                                                    \
	EMU_IS_EMPTY_4(EMU_HAS_COMMA(__VA_ARGS__), EMU_HAS_COMMA(EMU_TRIGGER_PAREN_ __VA_ARGS__), \
		       EMU_HAS_COMMA(__VA_ARGS__(/*empty*/)),                                 \
		       EMU_HAS_COMMA(EMU_TRIGGER_PAREN_ __VA_ARGS__(/*empty*/)))
/* 1 if the arguments expand to nothing, else 0. */
#define IS_EMPTY(...) EMU_IS_EMPTY_(__VA_ARGS__)

/* Number of arguments; an empty list counts 0 (NUM_VA_ARGS) / 0 (LESS_1). */
#define NUM_VA_ARGS_LESS_1(...) EMU_ARG_N(__VA_ARGS__, EMU_RSEQ_LESS_1)
#define NUM_VA_ARGS(...) COND_CODE_1(IS_EMPTY(__VA_ARGS__), (0), (EMU_ARG_N(__VA_ARGS__, EMU_RSEQ_N)))

/* ---- arithmetic and logic on integer literals ---------------------------- */
#define UTIL_INC(x) UTIL_PRIMITIVE_CAT(EMU_UTIL_INC_, x)
#define UTIL_DEC(x) UTIL_PRIMITIVE_CAT(EMU_UTIL_DEC_, x)
#define UTIL_X2(x) UTIL_PRIMITIVE_CAT(EMU_UTIL_X2_, x)
/* 1 if a and b are the same integer literal 0..255, else 0. */
#define IS_EQ(a, b) EMU_IS_EQ_(a, b)
#define EMU_IS_EQ_(a, b) EMU_HAS_COMMA(EMU_CAT4(EMU_IS_, a, _EQ_, b)())
#define EMU_UTIL_CHECK_N(x, n, ...) n
#define EMU_UTIL_CHECK(...) EMU_UTIL_CHECK_N(__VA_ARGS__, 0, ~)
#define EMU_UTIL_NOT_0 ~, 1,
/* 1 if x is the literal 0, else 0. */
#define UTIL_NOT(x) EMU_UTIL_CHECK(UTIL_PRIMITIVE_CAT(EMU_UTIL_NOT_, x))
#define UTIL_COMPL(b) UTIL_PRIMITIVE_CAT(EMU_UTIL_COMPL_, b)
#define EMU_UTIL_COMPL_0 1
#define EMU_UTIL_COMPL_1 0
/* 0 if x is the literal 0, else 1. */
#define UTIL_BOOL(x) UTIL_COMPL(UTIL_NOT(x))
/* Preprocessor-time || and &&: a must be 0 or 1; b is expanded only if needed. */
#define UTIL_OR(a, b) COND_CODE_1(UTIL_BOOL(a), (a), (b))
#define UTIL_AND(a, b) COND_CODE_1(UTIL_BOOL(a), (b), (0))

/* ---- code generation -------------------------------------------------------- */
/* F(0, ...) sep F(1, ...) ... F(LEN-1, ...); LEN an integer literal 0..255. */
#define LISTIFY(LEN, F, sep, ...) UTIL_CAT(EMU_LISTIFY_, LEN)(F, sep, __VA_ARGS__)
#define UTIL_LISTIFY(LEN, F, ...) LISTIFY(LEN, F, (), __VA_ARGS__)
#define UTIL_REPEAT(...) UTIL_LISTIFY(__VA_ARGS__)

/* F(a) sep F(b) sep F(c) */
#define FOR_EACH(F, sep, ...)                                                                 \
	UTIL_CAT(EMU_FE_, NUM_VA_ARGS(__VA_ARGS__))(F, sep, __VA_ARGS__, ~)
/* F(0, a) sep F(1, b) ... */
#define FOR_EACH_IDX(F, sep, ...)                                                             \
	UTIL_CAT(EMU_FEI_, NUM_VA_ARGS(__VA_ARGS__))(F, sep, 0, __VA_ARGS__, ~)
/* F(a, fixed) sep F(b, fixed) ... */
#define FOR_EACH_FIXED_ARG(F, sep, fixed_arg, ...)                                            \
	UTIL_CAT(EMU_FEF_, NUM_VA_ARGS(__VA_ARGS__))(F, sep, fixed_arg, __VA_ARGS__, ~)
/* F(0, a, fixed) sep F(1, b, fixed) ... */
#define FOR_EACH_IDX_FIXED_ARG(F, sep, fixed_arg, ...)                                        \
	UTIL_CAT(EMU_FEIF_, NUM_VA_ARGS(__VA_ARGS__))(F, sep, fixed_arg, 0, __VA_ARGS__, ~)
/* F(a) term F(b) term ..., empty elements dropped (nothing for none). */
#define EMU_FENT_ONE(F, term, x) COND_CODE_1(IS_EMPTY(x), (), (F(x) __DEBRACKET term))
#define FOR_EACH_NONEMPTY_TERM(F, term, ...)                                                  \
	UTIL_CAT(EMU_FENT_, NUM_VA_ARGS(__VA_ARGS__))(F, term, __VA_ARGS__, ~)
/* The list without its empty elements. */
#define EMU_LIST_KEEP(x) , x
#define LIST_DROP_EMPTY(...)                                                                  \
	EMU_LIST_DROP_FIRST_(FOR_EACH_NONEMPTY_TERM(EMU_LIST_KEEP, (), __VA_ARGS__))
#define EMU_LIST_DROP_FIRST_(...) GET_ARGS_LESS_N(1, __VA_ARGS__)

/* Nth argument (counted from 1), and the list without its first N. */
#define GET_ARG_N(N, ...) UTIL_CAT(EMU_GET_ARG_, N)(__VA_ARGS__, ~)
#define GET_ARGS_LESS_N(N, ...) UTIL_CAT(EMU_GET_ARGS_LESS_, N)(__VA_ARGS__)
#define REVERSE_ARGS(...) UTIL_CAT(EMU_REV_, NUM_VA_ARGS(__VA_ARGS__))(__VA_ARGS__, ~)
/* MACRO_MAP_CAT(m, a, b) is the single token m(a)##m(b). */
#define MACRO_MAP_CAT(m, ...) UTIL_CAT(EMU_MMC_, NUM_VA_ARGS(__VA_ARGS__))(m, __VA_ARGS__, ~)
#define MACRO_MAP_CAT_N(N, m, ...) UTIL_CAT(EMU_MMC_, N)(m, __VA_ARGS__, ~)

/* ---- generated tables (limits: integers 0..255, lists of 0..64 arguments) ---- */

/* UTIL_INC / UTIL_DEC / UTIL_X2 */
#define EMU_UTIL_INC_0 1
#define EMU_UTIL_INC_1 2
#define EMU_UTIL_INC_2 3
#define EMU_UTIL_INC_3 4
#define EMU_UTIL_INC_4 5
#define EMU_UTIL_INC_5 6
#define EMU_UTIL_INC_6 7
#define EMU_UTIL_INC_7 8
#define EMU_UTIL_INC_8 9
#define EMU_UTIL_INC_9 10
#define EMU_UTIL_INC_10 11
#define EMU_UTIL_INC_11 12
#define EMU_UTIL_INC_12 13
#define EMU_UTIL_INC_13 14
#define EMU_UTIL_INC_14 15
#define EMU_UTIL_INC_15 16
#define EMU_UTIL_INC_16 17
#define EMU_UTIL_INC_17 18
#define EMU_UTIL_INC_18 19
#define EMU_UTIL_INC_19 20
#define EMU_UTIL_INC_20 21
#define EMU_UTIL_INC_21 22
#define EMU_UTIL_INC_22 23
#define EMU_UTIL_INC_23 24
#define EMU_UTIL_INC_24 25
#define EMU_UTIL_INC_25 26
#define EMU_UTIL_INC_26 27
#define EMU_UTIL_INC_27 28
#define EMU_UTIL_INC_28 29
#define EMU_UTIL_INC_29 30
#define EMU_UTIL_INC_30 31
#define EMU_UTIL_INC_31 32
#define EMU_UTIL_INC_32 33
#define EMU_UTIL_INC_33 34
#define EMU_UTIL_INC_34 35
#define EMU_UTIL_INC_35 36
#define EMU_UTIL_INC_36 37
#define EMU_UTIL_INC_37 38
#define EMU_UTIL_INC_38 39
#define EMU_UTIL_INC_39 40
#define EMU_UTIL_INC_40 41
#define EMU_UTIL_INC_41 42
#define EMU_UTIL_INC_42 43
#define EMU_UTIL_INC_43 44
#define EMU_UTIL_INC_44 45
#define EMU_UTIL_INC_45 46
#define EMU_UTIL_INC_46 47
#define EMU_UTIL_INC_47 48
#define EMU_UTIL_INC_48 49
#define EMU_UTIL_INC_49 50
#define EMU_UTIL_INC_50 51
#define EMU_UTIL_INC_51 52
#define EMU_UTIL_INC_52 53
#define EMU_UTIL_INC_53 54
#define EMU_UTIL_INC_54 55
#define EMU_UTIL_INC_55 56
#define EMU_UTIL_INC_56 57
#define EMU_UTIL_INC_57 58
#define EMU_UTIL_INC_58 59
#define EMU_UTIL_INC_59 60
#define EMU_UTIL_INC_60 61
#define EMU_UTIL_INC_61 62
#define EMU_UTIL_INC_62 63
#define EMU_UTIL_INC_63 64
#define EMU_UTIL_INC_64 65
#define EMU_UTIL_INC_65 66
#define EMU_UTIL_INC_66 67
#define EMU_UTIL_INC_67 68
#define EMU_UTIL_INC_68 69
#define EMU_UTIL_INC_69 70
#define EMU_UTIL_INC_70 71
#define EMU_UTIL_INC_71 72
#define EMU_UTIL_INC_72 73
#define EMU_UTIL_INC_73 74
#define EMU_UTIL_INC_74 75
#define EMU_UTIL_INC_75 76
#define EMU_UTIL_INC_76 77
#define EMU_UTIL_INC_77 78
#define EMU_UTIL_INC_78 79
#define EMU_UTIL_INC_79 80
#define EMU_UTIL_INC_80 81
#define EMU_UTIL_INC_81 82
#define EMU_UTIL_INC_82 83
#define EMU_UTIL_INC_83 84
#define EMU_UTIL_INC_84 85
#define EMU_UTIL_INC_85 86
#define EMU_UTIL_INC_86 87
#define EMU_UTIL_INC_87 88
#define EMU_UTIL_INC_88 89
#define EMU_UTIL_INC_89 90
#define EMU_UTIL_INC_90 91
#define EMU_UTIL_INC_91 92
#define EMU_UTIL_INC_92 93
#define EMU_UTIL_INC_93 94
#define EMU_UTIL_INC_94 95
#define EMU_UTIL_INC_95 96
#define EMU_UTIL_INC_96 97
#define EMU_UTIL_INC_97 98
#define EMU_UTIL_INC_98 99
#define EMU_UTIL_INC_99 100
#define EMU_UTIL_INC_100 101
#define EMU_UTIL_INC_101 102
#define EMU_UTIL_INC_102 103
#define EMU_UTIL_INC_103 104
#define EMU_UTIL_INC_104 105
#define EMU_UTIL_INC_105 106
#define EMU_UTIL_INC_106 107
#define EMU_UTIL_INC_107 108
#define EMU_UTIL_INC_108 109
#define EMU_UTIL_INC_109 110
#define EMU_UTIL_INC_110 111
#define EMU_UTIL_INC_111 112
#define EMU_UTIL_INC_112 113
#define EMU_UTIL_INC_113 114
#define EMU_UTIL_INC_114 115
#define EMU_UTIL_INC_115 116
#define EMU_UTIL_INC_116 117
#define EMU_UTIL_INC_117 118
#define EMU_UTIL_INC_118 119
#define EMU_UTIL_INC_119 120
#define EMU_UTIL_INC_120 121
#define EMU_UTIL_INC_121 122
#define EMU_UTIL_INC_122 123
#define EMU_UTIL_INC_123 124
#define EMU_UTIL_INC_124 125
#define EMU_UTIL_INC_125 126
#define EMU_UTIL_INC_126 127
#define EMU_UTIL_INC_127 128
#define EMU_UTIL_INC_128 129
#define EMU_UTIL_INC_129 130
#define EMU_UTIL_INC_130 131
#define EMU_UTIL_INC_131 132
#define EMU_UTIL_INC_132 133
#define EMU_UTIL_INC_133 134
#define EMU_UTIL_INC_134 135
#define EMU_UTIL_INC_135 136
#define EMU_UTIL_INC_136 137
#define EMU_UTIL_INC_137 138
#define EMU_UTIL_INC_138 139
#define EMU_UTIL_INC_139 140
#define EMU_UTIL_INC_140 141
#define EMU_UTIL_INC_141 142
#define EMU_UTIL_INC_142 143
#define EMU_UTIL_INC_143 144
#define EMU_UTIL_INC_144 145
#define EMU_UTIL_INC_145 146
#define EMU_UTIL_INC_146 147
#define EMU_UTIL_INC_147 148
#define EMU_UTIL_INC_148 149
#define EMU_UTIL_INC_149 150
#define EMU_UTIL_INC_150 151
#define EMU_UTIL_INC_151 152
#define EMU_UTIL_INC_152 153
#define EMU_UTIL_INC_153 154
#define EMU_UTIL_INC_154 155
#define EMU_UTIL_INC_155 156
#define EMU_UTIL_INC_156 157
#define EMU_UTIL_INC_157 158
#define EMU_UTIL_INC_158 159
#define EMU_UTIL_INC_159 160
#define EMU_UTIL_INC_160 161
#define EMU_UTIL_INC_161 162
#define EMU_UTIL_INC_162 163
#define EMU_UTIL_INC_163 164
#define EMU_UTIL_INC_164 165
#define EMU_UTIL_INC_165 166
#define EMU_UTIL_INC_166 167
#define EMU_UTIL_INC_167 168
#define EMU_UTIL_INC_168 169
#define EMU_UTIL_INC_169 170
#define EMU_UTIL_INC_170 171
#define EMU_UTIL_INC_171 172
#define EMU_UTIL_INC_172 173
#define EMU_UTIL_INC_173 174
#define EMU_UTIL_INC_174 175
#define EMU_UTIL_INC_175 176
#define EMU_UTIL_INC_176 177
#define EMU_UTIL_INC_177 178
#define EMU_UTIL_INC_178 179
#define EMU_UTIL_INC_179 180
#define EMU_UTIL_INC_180 181
#define EMU_UTIL_INC_181 182
#define EMU_UTIL_INC_182 183
#define EMU_UTIL_INC_183 184
#define EMU_UTIL_INC_184 185
#define EMU_UTIL_INC_185 186
#define EMU_UTIL_INC_186 187
#define EMU_UTIL_INC_187 188
#define EMU_UTIL_INC_188 189
#define EMU_UTIL_INC_189 190
#define EMU_UTIL_INC_190 191
#define EMU_UTIL_INC_191 192
#define EMU_UTIL_INC_192 193
#define EMU_UTIL_INC_193 194
#define EMU_UTIL_INC_194 195
#define EMU_UTIL_INC_195 196
#define EMU_UTIL_INC_196 197
#define EMU_UTIL_INC_197 198
#define EMU_UTIL_INC_198 199
#define EMU_UTIL_INC_199 200
#define EMU_UTIL_INC_200 201
#define EMU_UTIL_INC_201 202
#define EMU_UTIL_INC_202 203
#define EMU_UTIL_INC_203 204
#define EMU_UTIL_INC_204 205
#define EMU_UTIL_INC_205 206
#define EMU_UTIL_INC_206 207
#define EMU_UTIL_INC_207 208
#define EMU_UTIL_INC_208 209
#define EMU_UTIL_INC_209 210
#define EMU_UTIL_INC_210 211
#define EMU_UTIL_INC_211 212
#define EMU_UTIL_INC_212 213
#define EMU_UTIL_INC_213 214
#define EMU_UTIL_INC_214 215
#define EMU_UTIL_INC_215 216
#define EMU_UTIL_INC_216 217
#define EMU_UTIL_INC_217 218
#define EMU_UTIL_INC_218 219
#define EMU_UTIL_INC_219 220
#define EMU_UTIL_INC_220 221
#define EMU_UTIL_INC_221 222
#define EMU_UTIL_INC_222 223
#define EMU_UTIL_INC_223 224
#define EMU_UTIL_INC_224 225
#define EMU_UTIL_INC_225 226
#define EMU_UTIL_INC_226 227
#define EMU_UTIL_INC_227 228
#define EMU_UTIL_INC_228 229
#define EMU_UTIL_INC_229 230
#define EMU_UTIL_INC_230 231
#define EMU_UTIL_INC_231 232
#define EMU_UTIL_INC_232 233
#define EMU_UTIL_INC_233 234
#define EMU_UTIL_INC_234 235
#define EMU_UTIL_INC_235 236
#define EMU_UTIL_INC_236 237
#define EMU_UTIL_INC_237 238
#define EMU_UTIL_INC_238 239
#define EMU_UTIL_INC_239 240
#define EMU_UTIL_INC_240 241
#define EMU_UTIL_INC_241 242
#define EMU_UTIL_INC_242 243
#define EMU_UTIL_INC_243 244
#define EMU_UTIL_INC_244 245
#define EMU_UTIL_INC_245 246
#define EMU_UTIL_INC_246 247
#define EMU_UTIL_INC_247 248
#define EMU_UTIL_INC_248 249
#define EMU_UTIL_INC_249 250
#define EMU_UTIL_INC_250 251
#define EMU_UTIL_INC_251 252
#define EMU_UTIL_INC_252 253
#define EMU_UTIL_INC_253 254
#define EMU_UTIL_INC_254 255
#define EMU_UTIL_INC_255 256
#define EMU_UTIL_DEC_0 0
#define EMU_UTIL_DEC_1 0
#define EMU_UTIL_DEC_2 1
#define EMU_UTIL_DEC_3 2
#define EMU_UTIL_DEC_4 3
#define EMU_UTIL_DEC_5 4
#define EMU_UTIL_DEC_6 5
#define EMU_UTIL_DEC_7 6
#define EMU_UTIL_DEC_8 7
#define EMU_UTIL_DEC_9 8
#define EMU_UTIL_DEC_10 9
#define EMU_UTIL_DEC_11 10
#define EMU_UTIL_DEC_12 11
#define EMU_UTIL_DEC_13 12
#define EMU_UTIL_DEC_14 13
#define EMU_UTIL_DEC_15 14
#define EMU_UTIL_DEC_16 15
#define EMU_UTIL_DEC_17 16
#define EMU_UTIL_DEC_18 17
#define EMU_UTIL_DEC_19 18
#define EMU_UTIL_DEC_20 19
#define EMU_UTIL_DEC_21 20
#define EMU_UTIL_DEC_22 21
#define EMU_UTIL_DEC_23 22
#define EMU_UTIL_DEC_24 23
#define EMU_UTIL_DEC_25 24
#define EMU_UTIL_DEC_26 25
#define EMU_UTIL_DEC_27 26
#define EMU_UTIL_DEC_28 27
#define EMU_UTIL_DEC_29 28
#define EMU_UTIL_DEC_30 29
#define EMU_UTIL_DEC_31 30
#define EMU_UTIL_DEC_32 31
#define EMU_UTIL_DEC_33 32
#define EMU_UTIL_DEC_34 33
#define EMU_UTIL_DEC_35 34
#define EMU_UTIL_DEC_36 35
#define EMU_UTIL_DEC_37 36
#define EMU_UTIL_DEC_38 37
#define EMU_UTIL_DEC_39 38
#define EMU_UTIL_DEC_40 39
#define EMU_UTIL_DEC_41 40
#define EMU_UTIL_DEC_42 41
#define EMU_UTIL_DEC_43 42
#define EMU_UTIL_DEC_44 43
#define EMU_UTIL_DEC_45 44
#define EMU_UTIL_DEC_46 45
#define EMU_UTIL_DEC_47 46
#define EMU_UTIL_DEC_48 47
#define EMU_UTIL_DEC_49 48
#define EMU_UTIL_DEC_50 49
#define EMU_UTIL_DEC_51 50
#define EMU_UTIL_DEC_52 51
#define EMU_UTIL_DEC_53 52
#define EMU_UTIL_DEC_54 53
#define EMU_UTIL_DEC_55 54
#define EMU_UTIL_DEC_56 55
#define EMU_UTIL_DEC_57 56
#define EMU_UTIL_DEC_58 57
#define EMU_UTIL_DEC_59 58
#define EMU_UTIL_DEC_60 59
#define EMU_UTIL_DEC_61 60
#define EMU_UTIL_DEC_62 61
#define EMU_UTIL_DEC_63 62
#define EMU_UTIL_DEC_64 63
#define EMU_UTIL_DEC_65 64
#define EMU_UTIL_DEC_66 65
#define EMU_UTIL_DEC_67 66
#define EMU_UTIL_DEC_68 67
#define EMU_UTIL_DEC_69 68
#define EMU_UTIL_DEC_70 69
#define EMU_UTIL_DEC_71 70
#define EMU_UTIL_DEC_72 71
#define EMU_UTIL_DEC_73 72
#define EMU_UTIL_DEC_74 73
#define EMU_UTIL_DEC_75 74
#define EMU_UTIL_DEC_76 75
#define EMU_UTIL_DEC_77 76
#define EMU_UTIL_DEC_78 77
#define EMU_UTIL_DEC_79 78
#define EMU_UTIL_DEC_80 79
#define EMU_UTIL_DEC_81 80
#define EMU_UTIL_DEC_82 81
#define EMU_UTIL_DEC_83 82
#define EMU_UTIL_DEC_84 83
#define EMU_UTIL_DEC_85 84
#define EMU_UTIL_DEC_86 85
#define EMU_UTIL_DEC_87 86
#define EMU_UTIL_DEC_88 87
#define EMU_UTIL_DEC_89 88
#define EMU_UTIL_DEC_90 89
#define EMU_UTIL_DEC_91 90
#define EMU_UTIL_DEC_92 91
#define EMU_UTIL_DEC_93 92
#define EMU_UTIL_DEC_94 93
#define EMU_UTIL_DEC_95 94
#define EMU_UTIL_DEC_96 95
#define EMU_UTIL_DEC_97 96
#define EMU_UTIL_DEC_98 97
#define EMU_UTIL_DEC_99 98
#define EMU_UTIL_DEC_100 99
#define EMU_UTIL_DEC_101 100
#define EMU_UTIL_DEC_102 101
#define EMU_UTIL_DEC_103 102
#define EMU_UTIL_DEC_104 103
#define EMU_UTIL_DEC_105 104
#define EMU_UTIL_DEC_106 105
#define EMU_UTIL_DEC_107 106
#define EMU_UTIL_DEC_108 107
#define EMU_UTIL_DEC_109 108
#define EMU_UTIL_DEC_110 109
#define EMU_UTIL_DEC_111 110
#define EMU_UTIL_DEC_112 111
#define EMU_UTIL_DEC_113 112
#define EMU_UTIL_DEC_114 113
#define EMU_UTIL_DEC_115 114
#define EMU_UTIL_DEC_116 115
#define EMU_UTIL_DEC_117 116
#define EMU_UTIL_DEC_118 117
#define EMU_UTIL_DEC_119 118
#define EMU_UTIL_DEC_120 119
#define EMU_UTIL_DEC_121 120
#define EMU_UTIL_DEC_122 121
#define EMU_UTIL_DEC_123 122
#define EMU_UTIL_DEC_124 123
#define EMU_UTIL_DEC_125 124
#define EMU_UTIL_DEC_126 125
#define EMU_UTIL_DEC_127 126
#define EMU_UTIL_DEC_128 127
#define EMU_UTIL_DEC_129 128
#define EMU_UTIL_DEC_130 129
#define EMU_UTIL_DEC_131 130
#define EMU_UTIL_DEC_132 131
#define EMU_UTIL_DEC_133 132
#define EMU_UTIL_DEC_134 133
#define EMU_UTIL_DEC_135 134
#define EMU_UTIL_DEC_136 135
#define EMU_UTIL_DEC_137 136
#define EMU_UTIL_DEC_138 137
#define EMU_UTIL_DEC_139 138
#define EMU_UTIL_DEC_140 139
#define EMU_UTIL_DEC_141 140
#define EMU_UTIL_DEC_142 141
#define EMU_UTIL_DEC_143 142
#define EMU_UTIL_DEC_144 143
#define EMU_UTIL_DEC_145 144
#define EMU_UTIL_DEC_146 145
#define EMU_UTIL_DEC_147 146
#define EMU_UTIL_DEC_148 147
#define EMU_UTIL_DEC_149 148
#define EMU_UTIL_DEC_150 149
#define EMU_UTIL_DEC_151 150
#define EMU_UTIL_DEC_152 151
#define EMU_UTIL_DEC_153 152
#define EMU_UTIL_DEC_154 153
#define EMU_UTIL_DEC_155 154
#define EMU_UTIL_DEC_156 155
#define EMU_UTIL_DEC_157 156
#define EMU_UTIL_DEC_158 157
#define EMU_UTIL_DEC_159 158
#define EMU_UTIL_DEC_160 159
#define EMU_UTIL_DEC_161 160
#define EMU_UTIL_DEC_162 161
#define EMU_UTIL_DEC_163 162
#define EMU_UTIL_DEC_164 163
#define EMU_UTIL_DEC_165 164
#define EMU_UTIL_DEC_166 165
#define EMU_UTIL_DEC_167 166
#define EMU_UTIL_DEC_168 167
#define EMU_UTIL_DEC_169 168
#define EMU_UTIL_DEC_170 169
#define EMU_UTIL_DEC_171 170
#define EMU_UTIL_DEC_172 171
#define EMU_UTIL_DEC_173 172
#define EMU_UTIL_DEC_174 173
#define EMU_UTIL_DEC_175 174
#define EMU_UTIL_DEC_176 175
#define EMU_UTIL_DEC_177 176
#define EMU_UTIL_DEC_178 177
#define EMU_UTIL_DEC_179 178
#define EMU_UTIL_DEC_180 179
#define EMU_UTIL_DEC_181 180
#define EMU_UTIL_DEC_182 181
#define EMU_UTIL_DEC_183 182
#define EMU_UTIL_DEC_184 183
#define EMU_UTIL_DEC_185 184
#define EMU_UTIL_DEC_186 185
#define EMU_UTIL_DEC_187 186
#define EMU_UTIL_DEC_188 187
#define EMU_UTIL_DEC_189 188
#define EMU_UTIL_DEC_190 189
#define EMU_UTIL_DEC_191 190
#define EMU_UTIL_DEC_192 191
#define EMU_UTIL_DEC_193 192
#define EMU_UTIL_DEC_194 193
#define EMU_UTIL_DEC_195 194
#define EMU_UTIL_DEC_196 195
#define EMU_UTIL_DEC_197 196
#define EMU_UTIL_DEC_198 197
#define EMU_UTIL_DEC_199 198
#define EMU_UTIL_DEC_200 199
#define EMU_UTIL_DEC_201 200
#define EMU_UTIL_DEC_202 201
#define EMU_UTIL_DEC_203 202
#define EMU_UTIL_DEC_204 203
#define EMU_UTIL_DEC_205 204
#define EMU_UTIL_DEC_206 205
#define EMU_UTIL_DEC_207 206
#define EMU_UTIL_DEC_208 207
#define EMU_UTIL_DEC_209 208
#define EMU_UTIL_DEC_210 209
#define EMU_UTIL_DEC_211 210
#define EMU_UTIL_DEC_212 211
#define EMU_UTIL_DEC_213 212
#define EMU_UTIL_DEC_214 213
#define EMU_UTIL_DEC_215 214
#define EMU_UTIL_DEC_216 215
#define EMU_UTIL_DEC_217 216
#define EMU_UTIL_DEC_218 217
#define EMU_UTIL_DEC_219 218
#define EMU_UTIL_DEC_220 219
#define EMU_UTIL_DEC_221 220
#define EMU_UTIL_DEC_222 221
#define EMU_UTIL_DEC_223 222
#define EMU_UTIL_DEC_224 223
#define EMU_UTIL_DEC_225 224
#define EMU_UTIL_DEC_226 225
#define EMU_UTIL_DEC_227 226
#define EMU_UTIL_DEC_228 227
#define EMU_UTIL_DEC_229 228
#define EMU_UTIL_DEC_230 229
#define EMU_UTIL_DEC_231 230
#define EMU_UTIL_DEC_232 231
#define EMU_UTIL_DEC_233 232
#define EMU_UTIL_DEC_234 233
#define EMU_UTIL_DEC_235 234
#define EMU_UTIL_DEC_236 235
#define EMU_UTIL_DEC_237 236
#define EMU_UTIL_DEC_238 237
#define EMU_UTIL_DEC_239 238
#define EMU_UTIL_DEC_240 239
#define EMU_UTIL_DEC_241 240
#define EMU_UTIL_DEC_242 241
#define EMU_UTIL_DEC_243 242
#define EMU_UTIL_DEC_244 243
#define EMU_UTIL_DEC_245 244
#define EMU_UTIL_DEC_246 245
#define EMU_UTIL_DEC_247 246
#define EMU_UTIL_DEC_248 247
#define EMU_UTIL_DEC_249 248
#define EMU_UTIL_DEC_250 249
#define EMU_UTIL_DEC_251 250
#define EMU_UTIL_DEC_252 251
#define EMU_UTIL_DEC_253 252
#define EMU_UTIL_DEC_254 253
#define EMU_UTIL_DEC_255 254
#define EMU_UTIL_DEC_256 255
#define EMU_UTIL_X2_0 0
#define EMU_UTIL_X2_1 2
#define EMU_UTIL_X2_2 4
#define EMU_UTIL_X2_3 6
#define EMU_UTIL_X2_4 8
#define EMU_UTIL_X2_5 10
#define EMU_UTIL_X2_6 12
#define EMU_UTIL_X2_7 14
#define EMU_UTIL_X2_8 16
#define EMU_UTIL_X2_9 18
#define EMU_UTIL_X2_10 20
#define EMU_UTIL_X2_11 22
#define EMU_UTIL_X2_12 24
#define EMU_UTIL_X2_13 26
#define EMU_UTIL_X2_14 28
#define EMU_UTIL_X2_15 30
#define EMU_UTIL_X2_16 32
#define EMU_UTIL_X2_17 34
#define EMU_UTIL_X2_18 36
#define EMU_UTIL_X2_19 38
#define EMU_UTIL_X2_20 40
#define EMU_UTIL_X2_21 42
#define EMU_UTIL_X2_22 44
#define EMU_UTIL_X2_23 46
#define EMU_UTIL_X2_24 48
#define EMU_UTIL_X2_25 50
#define EMU_UTIL_X2_26 52
#define EMU_UTIL_X2_27 54
#define EMU_UTIL_X2_28 56
#define EMU_UTIL_X2_29 58
#define EMU_UTIL_X2_30 60
#define EMU_UTIL_X2_31 62
#define EMU_UTIL_X2_32 64
#define EMU_UTIL_X2_33 66
#define EMU_UTIL_X2_34 68
#define EMU_UTIL_X2_35 70
#define EMU_UTIL_X2_36 72
#define EMU_UTIL_X2_37 74
#define EMU_UTIL_X2_38 76
#define EMU_UTIL_X2_39 78
#define EMU_UTIL_X2_40 80
#define EMU_UTIL_X2_41 82
#define EMU_UTIL_X2_42 84
#define EMU_UTIL_X2_43 86
#define EMU_UTIL_X2_44 88
#define EMU_UTIL_X2_45 90
#define EMU_UTIL_X2_46 92
#define EMU_UTIL_X2_47 94
#define EMU_UTIL_X2_48 96
#define EMU_UTIL_X2_49 98
#define EMU_UTIL_X2_50 100
#define EMU_UTIL_X2_51 102
#define EMU_UTIL_X2_52 104
#define EMU_UTIL_X2_53 106
#define EMU_UTIL_X2_54 108
#define EMU_UTIL_X2_55 110
#define EMU_UTIL_X2_56 112
#define EMU_UTIL_X2_57 114
#define EMU_UTIL_X2_58 116
#define EMU_UTIL_X2_59 118
#define EMU_UTIL_X2_60 120
#define EMU_UTIL_X2_61 122
#define EMU_UTIL_X2_62 124
#define EMU_UTIL_X2_63 126
#define EMU_UTIL_X2_64 128
#define EMU_UTIL_X2_65 130
#define EMU_UTIL_X2_66 132
#define EMU_UTIL_X2_67 134
#define EMU_UTIL_X2_68 136
#define EMU_UTIL_X2_69 138
#define EMU_UTIL_X2_70 140
#define EMU_UTIL_X2_71 142
#define EMU_UTIL_X2_72 144
#define EMU_UTIL_X2_73 146
#define EMU_UTIL_X2_74 148
#define EMU_UTIL_X2_75 150
#define EMU_UTIL_X2_76 152
#define EMU_UTIL_X2_77 154
#define EMU_UTIL_X2_78 156
#define EMU_UTIL_X2_79 158
#define EMU_UTIL_X2_80 160
#define EMU_UTIL_X2_81 162
#define EMU_UTIL_X2_82 164
#define EMU_UTIL_X2_83 166
#define EMU_UTIL_X2_84 168
#define EMU_UTIL_X2_85 170
#define EMU_UTIL_X2_86 172
#define EMU_UTIL_X2_87 174
#define EMU_UTIL_X2_88 176
#define EMU_UTIL_X2_89 178
#define EMU_UTIL_X2_90 180
#define EMU_UTIL_X2_91 182
#define EMU_UTIL_X2_92 184
#define EMU_UTIL_X2_93 186
#define EMU_UTIL_X2_94 188
#define EMU_UTIL_X2_95 190
#define EMU_UTIL_X2_96 192
#define EMU_UTIL_X2_97 194
#define EMU_UTIL_X2_98 196
#define EMU_UTIL_X2_99 198
#define EMU_UTIL_X2_100 200
#define EMU_UTIL_X2_101 202
#define EMU_UTIL_X2_102 204
#define EMU_UTIL_X2_103 206
#define EMU_UTIL_X2_104 208
#define EMU_UTIL_X2_105 210
#define EMU_UTIL_X2_106 212
#define EMU_UTIL_X2_107 214
#define EMU_UTIL_X2_108 216
#define EMU_UTIL_X2_109 218
#define EMU_UTIL_X2_110 220
#define EMU_UTIL_X2_111 222
#define EMU_UTIL_X2_112 224
#define EMU_UTIL_X2_113 226
#define EMU_UTIL_X2_114 228
#define EMU_UTIL_X2_115 230
#define EMU_UTIL_X2_116 232
#define EMU_UTIL_X2_117 234
#define EMU_UTIL_X2_118 236
#define EMU_UTIL_X2_119 238
#define EMU_UTIL_X2_120 240
#define EMU_UTIL_X2_121 242
#define EMU_UTIL_X2_122 244
#define EMU_UTIL_X2_123 246
#define EMU_UTIL_X2_124 248
#define EMU_UTIL_X2_125 250
#define EMU_UTIL_X2_126 252
#define EMU_UTIL_X2_127 254
#define EMU_UTIL_X2_128 256
#define EMU_UTIL_X2_129 258
#define EMU_UTIL_X2_130 260
#define EMU_UTIL_X2_131 262
#define EMU_UTIL_X2_132 264
#define EMU_UTIL_X2_133 266
#define EMU_UTIL_X2_134 268
#define EMU_UTIL_X2_135 270
#define EMU_UTIL_X2_136 272
#define EMU_UTIL_X2_137 274
#define EMU_UTIL_X2_138 276
#define EMU_UTIL_X2_139 278
#define EMU_UTIL_X2_140 280
#define EMU_UTIL_X2_141 282
#define EMU_UTIL_X2_142 284
#define EMU_UTIL_X2_143 286
#define EMU_UTIL_X2_144 288
#define EMU_UTIL_X2_145 290
#define EMU_UTIL_X2_146 292
#define EMU_UTIL_X2_147 294
#define EMU_UTIL_X2_148 296
#define EMU_UTIL_X2_149 298
#define EMU_UTIL_X2_150 300
#define EMU_UTIL_X2_151 302
#define EMU_UTIL_X2_152 304
#define EMU_UTIL_X2_153 306
#define EMU_UTIL_X2_154 308
#define EMU_UTIL_X2_155 310
#define EMU_UTIL_X2_156 312
#define EMU_UTIL_X2_157 314
#define EMU_UTIL_X2_158 316
#define EMU_UTIL_X2_159 318
#define EMU_UTIL_X2_160 320
#define EMU_UTIL_X2_161 322
#define EMU_UTIL_X2_162 324
#define EMU_UTIL_X2_163 326
#define EMU_UTIL_X2_164 328
#define EMU_UTIL_X2_165 330
#define EMU_UTIL_X2_166 332
#define EMU_UTIL_X2_167 334
#define EMU_UTIL_X2_168 336
#define EMU_UTIL_X2_169 338
#define EMU_UTIL_X2_170 340
#define EMU_UTIL_X2_171 342
#define EMU_UTIL_X2_172 344
#define EMU_UTIL_X2_173 346
#define EMU_UTIL_X2_174 348
#define EMU_UTIL_X2_175 350
#define EMU_UTIL_X2_176 352
#define EMU_UTIL_X2_177 354
#define EMU_UTIL_X2_178 356
#define EMU_UTIL_X2_179 358
#define EMU_UTIL_X2_180 360
#define EMU_UTIL_X2_181 362
#define EMU_UTIL_X2_182 364
#define EMU_UTIL_X2_183 366
#define EMU_UTIL_X2_184 368
#define EMU_UTIL_X2_185 370
#define EMU_UTIL_X2_186 372
#define EMU_UTIL_X2_187 374
#define EMU_UTIL_X2_188 376
#define EMU_UTIL_X2_189 378
#define EMU_UTIL_X2_190 380
#define EMU_UTIL_X2_191 382
#define EMU_UTIL_X2_192 384
#define EMU_UTIL_X2_193 386
#define EMU_UTIL_X2_194 388
#define EMU_UTIL_X2_195 390
#define EMU_UTIL_X2_196 392
#define EMU_UTIL_X2_197 394
#define EMU_UTIL_X2_198 396
#define EMU_UTIL_X2_199 398
#define EMU_UTIL_X2_200 400
#define EMU_UTIL_X2_201 402
#define EMU_UTIL_X2_202 404
#define EMU_UTIL_X2_203 406
#define EMU_UTIL_X2_204 408
#define EMU_UTIL_X2_205 410
#define EMU_UTIL_X2_206 412
#define EMU_UTIL_X2_207 414
#define EMU_UTIL_X2_208 416
#define EMU_UTIL_X2_209 418
#define EMU_UTIL_X2_210 420
#define EMU_UTIL_X2_211 422
#define EMU_UTIL_X2_212 424
#define EMU_UTIL_X2_213 426
#define EMU_UTIL_X2_214 428
#define EMU_UTIL_X2_215 430
#define EMU_UTIL_X2_216 432
#define EMU_UTIL_X2_217 434
#define EMU_UTIL_X2_218 436
#define EMU_UTIL_X2_219 438
#define EMU_UTIL_X2_220 440
#define EMU_UTIL_X2_221 442
#define EMU_UTIL_X2_222 444
#define EMU_UTIL_X2_223 446
#define EMU_UTIL_X2_224 448
#define EMU_UTIL_X2_225 450
#define EMU_UTIL_X2_226 452
#define EMU_UTIL_X2_227 454
#define EMU_UTIL_X2_228 456
#define EMU_UTIL_X2_229 458
#define EMU_UTIL_X2_230 460
#define EMU_UTIL_X2_231 462
#define EMU_UTIL_X2_232 464
#define EMU_UTIL_X2_233 466
#define EMU_UTIL_X2_234 468
#define EMU_UTIL_X2_235 470
#define EMU_UTIL_X2_236 472
#define EMU_UTIL_X2_237 474
#define EMU_UTIL_X2_238 476
#define EMU_UTIL_X2_239 478
#define EMU_UTIL_X2_240 480
#define EMU_UTIL_X2_241 482
#define EMU_UTIL_X2_242 484
#define EMU_UTIL_X2_243 486
#define EMU_UTIL_X2_244 488
#define EMU_UTIL_X2_245 490
#define EMU_UTIL_X2_246 492
#define EMU_UTIL_X2_247 494
#define EMU_UTIL_X2_248 496
#define EMU_UTIL_X2_249 498
#define EMU_UTIL_X2_250 500
#define EMU_UTIL_X2_251 502
#define EMU_UTIL_X2_252 504
#define EMU_UTIL_X2_253 506
#define EMU_UTIL_X2_254 508
#define EMU_UTIL_X2_255 510

/* IS_EQ: EMU_IS_<n>_EQ_<n>() expands to a comma, any other pair to nothing */
#define EMU_IS_0_EQ_0(...) ,
#define EMU_IS_1_EQ_1(...) ,
#define EMU_IS_2_EQ_2(...) ,
#define EMU_IS_3_EQ_3(...) ,
#define EMU_IS_4_EQ_4(...) ,
#define EMU_IS_5_EQ_5(...) ,
#define EMU_IS_6_EQ_6(...) ,
#define EMU_IS_7_EQ_7(...) ,
#define EMU_IS_8_EQ_8(...) ,
#define EMU_IS_9_EQ_9(...) ,
#define EMU_IS_10_EQ_10(...) ,
#define EMU_IS_11_EQ_11(...) ,
#define EMU_IS_12_EQ_12(...) ,
#define EMU_IS_13_EQ_13(...) ,
#define EMU_IS_14_EQ_14(...) ,
#define EMU_IS_15_EQ_15(...) ,
#define EMU_IS_16_EQ_16(...) ,
#define EMU_IS_17_EQ_17(...) ,
#define EMU_IS_18_EQ_18(...) ,
#define EMU_IS_19_EQ_19(...) ,
#define EMU_IS_20_EQ_20(...) ,
#define EMU_IS_21_EQ_21(...) ,
#define EMU_IS_22_EQ_22(...) ,
#define EMU_IS_23_EQ_23(...) ,
#define EMU_IS_24_EQ_24(...) ,
#define EMU_IS_25_EQ_25(...) ,
#define EMU_IS_26_EQ_26(...) ,
#define EMU_IS_27_EQ_27(...) ,
#define EMU_IS_28_EQ_28(...) ,
#define EMU_IS_29_EQ_29(...) ,
#define EMU_IS_30_EQ_30(...) ,
#define EMU_IS_31_EQ_31(...) ,
#define EMU_IS_32_EQ_32(...) ,
#define EMU_IS_33_EQ_33(...) ,
#define EMU_IS_34_EQ_34(...) ,
#define EMU_IS_35_EQ_35(...) ,
#define EMU_IS_36_EQ_36(...) ,
#define EMU_IS_37_EQ_37(...) ,
#define EMU_IS_38_EQ_38(...) ,
#define EMU_IS_39_EQ_39(...) ,
#define EMU_IS_40_EQ_40(...) ,
#define EMU_IS_41_EQ_41(...) ,
#define EMU_IS_42_EQ_42(...) ,
#define EMU_IS_43_EQ_43(...) ,
#define EMU_IS_44_EQ_44(...) ,
#define EMU_IS_45_EQ_45(...) ,
#define EMU_IS_46_EQ_46(...) ,
#define EMU_IS_47_EQ_47(...) ,
#define EMU_IS_48_EQ_48(...) ,
#define EMU_IS_49_EQ_49(...) ,
#define EMU_IS_50_EQ_50(...) ,
#define EMU_IS_51_EQ_51(...) ,
#define EMU_IS_52_EQ_52(...) ,
#define EMU_IS_53_EQ_53(...) ,
#define EMU_IS_54_EQ_54(...) ,
#define EMU_IS_55_EQ_55(...) ,
#define EMU_IS_56_EQ_56(...) ,
#define EMU_IS_57_EQ_57(...) ,
#define EMU_IS_58_EQ_58(...) ,
#define EMU_IS_59_EQ_59(...) ,
#define EMU_IS_60_EQ_60(...) ,
#define EMU_IS_61_EQ_61(...) ,
#define EMU_IS_62_EQ_62(...) ,
#define EMU_IS_63_EQ_63(...) ,
#define EMU_IS_64_EQ_64(...) ,
#define EMU_IS_65_EQ_65(...) ,
#define EMU_IS_66_EQ_66(...) ,
#define EMU_IS_67_EQ_67(...) ,
#define EMU_IS_68_EQ_68(...) ,
#define EMU_IS_69_EQ_69(...) ,
#define EMU_IS_70_EQ_70(...) ,
#define EMU_IS_71_EQ_71(...) ,
#define EMU_IS_72_EQ_72(...) ,
#define EMU_IS_73_EQ_73(...) ,
#define EMU_IS_74_EQ_74(...) ,
#define EMU_IS_75_EQ_75(...) ,
#define EMU_IS_76_EQ_76(...) ,
#define EMU_IS_77_EQ_77(...) ,
#define EMU_IS_78_EQ_78(...) ,
#define EMU_IS_79_EQ_79(...) ,
#define EMU_IS_80_EQ_80(...) ,
#define EMU_IS_81_EQ_81(...) ,
#define EMU_IS_82_EQ_82(...) ,
#define EMU_IS_83_EQ_83(...) ,
#define EMU_IS_84_EQ_84(...) ,
#define EMU_IS_85_EQ_85(...) ,
#define EMU_IS_86_EQ_86(...) ,
#define EMU_IS_87_EQ_87(...) ,
#define EMU_IS_88_EQ_88(...) ,
#define EMU_IS_89_EQ_89(...) ,
#define EMU_IS_90_EQ_90(...) ,
#define EMU_IS_91_EQ_91(...) ,
#define EMU_IS_92_EQ_92(...) ,
#define EMU_IS_93_EQ_93(...) ,
#define EMU_IS_94_EQ_94(...) ,
#define EMU_IS_95_EQ_95(...) ,
#define EMU_IS_96_EQ_96(...) ,
#define EMU_IS_97_EQ_97(...) ,
#define EMU_IS_98_EQ_98(...) ,
#define EMU_IS_99_EQ_99(...) ,
#define EMU_IS_100_EQ_100(...) ,
#define EMU_IS_101_EQ_101(...) ,
#define EMU_IS_102_EQ_102(...) ,
#define EMU_IS_103_EQ_103(...) ,
#define EMU_IS_104_EQ_104(...) ,
#define EMU_IS_105_EQ_105(...) ,
#define EMU_IS_106_EQ_106(...) ,
#define EMU_IS_107_EQ_107(...) ,
#define EMU_IS_108_EQ_108(...) ,
#define EMU_IS_109_EQ_109(...) ,
#define EMU_IS_110_EQ_110(...) ,
#define EMU_IS_111_EQ_111(...) ,
#define EMU_IS_112_EQ_112(...) ,
#define EMU_IS_113_EQ_113(...) ,
#define EMU_IS_114_EQ_114(...) ,
#define EMU_IS_115_EQ_115(...) ,
#define EMU_IS_116_EQ_116(...) ,
#define EMU_IS_117_EQ_117(...) ,
#define EMU_IS_118_EQ_118(...) ,
#define EMU_IS_119_EQ_119(...) ,
#define EMU_IS_120_EQ_120(...) ,
#define EMU_IS_121_EQ_121(...) ,
#define EMU_IS_122_EQ_122(...) ,
#define EMU_IS_123_EQ_123(...) ,
#define EMU_IS_124_EQ_124(...) ,
#define EMU_IS_125_EQ_125(...) ,
#define EMU_IS_126_EQ_126(...) ,
#define EMU_IS_127_EQ_127(...) ,
#define EMU_IS_128_EQ_128(...) ,
#define EMU_IS_129_EQ_129(...) ,
#define EMU_IS_130_EQ_130(...) ,
#define EMU_IS_131_EQ_131(...) ,
#define EMU_IS_132_EQ_132(...) ,
#define EMU_IS_133_EQ_133(...) ,
#define EMU_IS_134_EQ_134(...) ,
#define EMU_IS_135_EQ_135(...) ,
#define EMU_IS_136_EQ_136(...) ,
#define EMU_IS_137_EQ_137(...) ,
#define EMU_IS_138_EQ_138(...) ,
#define EMU_IS_139_EQ_139(...) ,
#define EMU_IS_140_EQ_140(...) ,
#define EMU_IS_141_EQ_141(...) ,
#define EMU_IS_142_EQ_142(...) ,
#define EMU_IS_143_EQ_143(...) ,
#define EMU_IS_144_EQ_144(...) ,
#define EMU_IS_145_EQ_145(...) ,
#define EMU_IS_146_EQ_146(...) ,
#define EMU_IS_147_EQ_147(...) ,
#define EMU_IS_148_EQ_148(...) ,
#define EMU_IS_149_EQ_149(...) ,
#define EMU_IS_150_EQ_150(...) ,
#define EMU_IS_151_EQ_151(...) ,
#define EMU_IS_152_EQ_152(...) ,
#define EMU_IS_153_EQ_153(...) ,
#define EMU_IS_154_EQ_154(...) ,
#define EMU_IS_155_EQ_155(...) ,
#define EMU_IS_156_EQ_156(...) ,
#define EMU_IS_157_EQ_157(...) ,
#define EMU_IS_158_EQ_158(...) ,
#define EMU_IS_159_EQ_159(...) ,
#define EMU_IS_160_EQ_160(...) ,
#define EMU_IS_161_EQ_161(...) ,
#define EMU_IS_162_EQ_162(...) ,
#define EMU_IS_163_EQ_163(...) ,
#define EMU_IS_164_EQ_164(...) ,
#define EMU_IS_165_EQ_165(...) ,
#define EMU_IS_166_EQ_166(...) ,
#define EMU_IS_167_EQ_167(...) ,
#define EMU_IS_168_EQ_168(...) ,
#define EMU_IS_169_EQ_169(...) ,
#define EMU_IS_170_EQ_170(...) ,
#define EMU_IS_171_EQ_171(...) ,
#define EMU_IS_172_EQ_172(...) ,
#define EMU_IS_173_EQ_173(...) ,
#define EMU_IS_174_EQ_174(...) ,
#define EMU_IS_175_EQ_175(...) ,
#define EMU_IS_176_EQ_176(...) ,
#define EMU_IS_177_EQ_177(...) ,
#define EMU_IS_178_EQ_178(...) ,
#define EMU_IS_179_EQ_179(...) ,
#define EMU_IS_180_EQ_180(...) ,
#define EMU_IS_181_EQ_181(...) ,
#define EMU_IS_182_EQ_182(...) ,
#define EMU_IS_183_EQ_183(...) ,
#define EMU_IS_184_EQ_184(...) ,
#define EMU_IS_185_EQ_185(...) ,
#define EMU_IS_186_EQ_186(...) ,
#define EMU_IS_187_EQ_187(...) ,
#define EMU_IS_188_EQ_188(...) ,
#define EMU_IS_189_EQ_189(...) ,
#define EMU_IS_190_EQ_190(...) ,
#define EMU_IS_191_EQ_191(...) ,
#define EMU_IS_192_EQ_192(...) ,
#define EMU_IS_193_EQ_193(...) ,
#define EMU_IS_194_EQ_194(...) ,
#define EMU_IS_195_EQ_195(...) ,
#define EMU_IS_196_EQ_196(...) ,
#define EMU_IS_197_EQ_197(...) ,
#define EMU_IS_198_EQ_198(...) ,
#define EMU_IS_199_EQ_199(...) ,
#define EMU_IS_200_EQ_200(...) ,
#define EMU_IS_201_EQ_201(...) ,
#define EMU_IS_202_EQ_202(...) ,
#define EMU_IS_203_EQ_203(...) ,
#define EMU_IS_204_EQ_204(...) ,
#define EMU_IS_205_EQ_205(...) ,
#define EMU_IS_206_EQ_206(...) ,
#define EMU_IS_207_EQ_207(...) ,
#define EMU_IS_208_EQ_208(...) ,
#define EMU_IS_209_EQ_209(...) ,
#define EMU_IS_210_EQ_210(...) ,
#define EMU_IS_211_EQ_211(...) ,
#define EMU_IS_212_EQ_212(...) ,
#define EMU_IS_213_EQ_213(...) ,
#define EMU_IS_214_EQ_214(...) ,
#define EMU_IS_215_EQ_215(...) ,
#define EMU_IS_216_EQ_216(...) ,
#define EMU_IS_217_EQ_217(...) ,
#define EMU_IS_218_EQ_218(...) ,
#define EMU_IS_219_EQ_219(...) ,
#define EMU_IS_220_EQ_220(...) ,
#define EMU_IS_221_EQ_221(...) ,
#define EMU_IS_222_EQ_222(...) ,
#define EMU_IS_223_EQ_223(...) ,
#define EMU_IS_224_EQ_224(...) ,
#define EMU_IS_225_EQ_225(...) ,
#define EMU_IS_226_EQ_226(...) ,
#define EMU_IS_227_EQ_227(...) ,
#define EMU_IS_228_EQ_228(...) ,
#define EMU_IS_229_EQ_229(...) ,
#define EMU_IS_230_EQ_230(...) ,
#define EMU_IS_231_EQ_231(...) ,
#define EMU_IS_232_EQ_232(...) ,
#define EMU_IS_233_EQ_233(...) ,
#define EMU_IS_234_EQ_234(...) ,
#define EMU_IS_235_EQ_235(...) ,
#define EMU_IS_236_EQ_236(...) ,
#define EMU_IS_237_EQ_237(...) ,
#define EMU_IS_238_EQ_238(...) ,
#define EMU_IS_239_EQ_239(...) ,
#define EMU_IS_240_EQ_240(...) ,
#define EMU_IS_241_EQ_241(...) ,
#define EMU_IS_242_EQ_242(...) ,
#define EMU_IS_243_EQ_243(...) ,
#define EMU_IS_244_EQ_244(...) ,
#define EMU_IS_245_EQ_245(...) ,
#define EMU_IS_246_EQ_246(...) ,
#define EMU_IS_247_EQ_247(...) ,
#define EMU_IS_248_EQ_248(...) ,
#define EMU_IS_249_EQ_249(...) ,
#define EMU_IS_250_EQ_250(...) ,
#define EMU_IS_251_EQ_251(...) ,
#define EMU_IS_252_EQ_252(...) ,
#define EMU_IS_253_EQ_253(...) ,
#define EMU_IS_254_EQ_254(...) ,
#define EMU_IS_255_EQ_255(...) ,

/* LISTIFY: F(0, ...) sep F(1, ...) sep ... F(n-1, ...) */
#define EMU_LISTIFY_0(F, sep, ...)
#define EMU_LISTIFY_1(F, sep, ...) F(0, __VA_ARGS__)
#define EMU_LISTIFY_2(F, sep, ...) EMU_LISTIFY_1(F, sep, __VA_ARGS__) __DEBRACKET sep F(1, __VA_ARGS__)
#define EMU_LISTIFY_3(F, sep, ...) EMU_LISTIFY_2(F, sep, __VA_ARGS__) __DEBRACKET sep F(2, __VA_ARGS__)
#define EMU_LISTIFY_4(F, sep, ...) EMU_LISTIFY_3(F, sep, __VA_ARGS__) __DEBRACKET sep F(3, __VA_ARGS__)
#define EMU_LISTIFY_5(F, sep, ...) EMU_LISTIFY_4(F, sep, __VA_ARGS__) __DEBRACKET sep F(4, __VA_ARGS__)
#define EMU_LISTIFY_6(F, sep, ...) EMU_LISTIFY_5(F, sep, __VA_ARGS__) __DEBRACKET sep F(5, __VA_ARGS__)
#define EMU_LISTIFY_7(F, sep, ...) EMU_LISTIFY_6(F, sep, __VA_ARGS__) __DEBRACKET sep F(6, __VA_ARGS__)
#define EMU_LISTIFY_8(F, sep, ...) EMU_LISTIFY_7(F, sep, __VA_ARGS__) __DEBRACKET sep F(7, __VA_ARGS__)
#define EMU_LISTIFY_9(F, sep, ...) EMU_LISTIFY_8(F, sep, __VA_ARGS__) __DEBRACKET sep F(8, __VA_ARGS__)
#define EMU_LISTIFY_10(F, sep, ...) EMU_LISTIFY_9(F, sep, __VA_ARGS__) __DEBRACKET sep F(9, __VA_ARGS__)
#define EMU_LISTIFY_11(F, sep, ...) EMU_LISTIFY_10(F, sep, __VA_ARGS__) __DEBRACKET sep F(10, __VA_ARGS__)
#define EMU_LISTIFY_12(F, sep, ...) EMU_LISTIFY_11(F, sep, __VA_ARGS__) __DEBRACKET sep F(11, __VA_ARGS__)
#define EMU_LISTIFY_13(F, sep, ...) EMU_LISTIFY_12(F, sep, __VA_ARGS__) __DEBRACKET sep F(12, __VA_ARGS__)
#define EMU_LISTIFY_14(F, sep, ...) EMU_LISTIFY_13(F, sep, __VA_ARGS__) __DEBRACKET sep F(13, __VA_ARGS__)
#define EMU_LISTIFY_15(F, sep, ...) EMU_LISTIFY_14(F, sep, __VA_ARGS__) __DEBRACKET sep F(14, __VA_ARGS__)
#define EMU_LISTIFY_16(F, sep, ...) EMU_LISTIFY_15(F, sep, __VA_ARGS__) __DEBRACKET sep F(15, __VA_ARGS__)
#define EMU_LISTIFY_17(F, sep, ...) EMU_LISTIFY_16(F, sep, __VA_ARGS__) __DEBRACKET sep F(16, __VA_ARGS__)
#define EMU_LISTIFY_18(F, sep, ...) EMU_LISTIFY_17(F, sep, __VA_ARGS__) __DEBRACKET sep F(17, __VA_ARGS__)
#define EMU_LISTIFY_19(F, sep, ...) EMU_LISTIFY_18(F, sep, __VA_ARGS__) __DEBRACKET sep F(18, __VA_ARGS__)
#define EMU_LISTIFY_20(F, sep, ...) EMU_LISTIFY_19(F, sep, __VA_ARGS__) __DEBRACKET sep F(19, __VA_ARGS__)
#define EMU_LISTIFY_21(F, sep, ...) EMU_LISTIFY_20(F, sep, __VA_ARGS__) __DEBRACKET sep F(20, __VA_ARGS__)
#define EMU_LISTIFY_22(F, sep, ...) EMU_LISTIFY_21(F, sep, __VA_ARGS__) __DEBRACKET sep F(21, __VA_ARGS__)
#define EMU_LISTIFY_23(F, sep, ...) EMU_LISTIFY_22(F, sep, __VA_ARGS__) __DEBRACKET sep F(22, __VA_ARGS__)
#define EMU_LISTIFY_24(F, sep, ...) EMU_LISTIFY_23(F, sep, __VA_ARGS__) __DEBRACKET sep F(23, __VA_ARGS__)
#define EMU_LISTIFY_25(F, sep, ...) EMU_LISTIFY_24(F, sep, __VA_ARGS__) __DEBRACKET sep F(24, __VA_ARGS__)
#define EMU_LISTIFY_26(F, sep, ...) EMU_LISTIFY_25(F, sep, __VA_ARGS__) __DEBRACKET sep F(25, __VA_ARGS__)
#define EMU_LISTIFY_27(F, sep, ...) EMU_LISTIFY_26(F, sep, __VA_ARGS__) __DEBRACKET sep F(26, __VA_ARGS__)
#define EMU_LISTIFY_28(F, sep, ...) EMU_LISTIFY_27(F, sep, __VA_ARGS__) __DEBRACKET sep F(27, __VA_ARGS__)
#define EMU_LISTIFY_29(F, sep, ...) EMU_LISTIFY_28(F, sep, __VA_ARGS__) __DEBRACKET sep F(28, __VA_ARGS__)
#define EMU_LISTIFY_30(F, sep, ...) EMU_LISTIFY_29(F, sep, __VA_ARGS__) __DEBRACKET sep F(29, __VA_ARGS__)
#define EMU_LISTIFY_31(F, sep, ...) EMU_LISTIFY_30(F, sep, __VA_ARGS__) __DEBRACKET sep F(30, __VA_ARGS__)
#define EMU_LISTIFY_32(F, sep, ...) EMU_LISTIFY_31(F, sep, __VA_ARGS__) __DEBRACKET sep F(31, __VA_ARGS__)
#define EMU_LISTIFY_33(F, sep, ...) EMU_LISTIFY_32(F, sep, __VA_ARGS__) __DEBRACKET sep F(32, __VA_ARGS__)
#define EMU_LISTIFY_34(F, sep, ...) EMU_LISTIFY_33(F, sep, __VA_ARGS__) __DEBRACKET sep F(33, __VA_ARGS__)
#define EMU_LISTIFY_35(F, sep, ...) EMU_LISTIFY_34(F, sep, __VA_ARGS__) __DEBRACKET sep F(34, __VA_ARGS__)
#define EMU_LISTIFY_36(F, sep, ...) EMU_LISTIFY_35(F, sep, __VA_ARGS__) __DEBRACKET sep F(35, __VA_ARGS__)
#define EMU_LISTIFY_37(F, sep, ...) EMU_LISTIFY_36(F, sep, __VA_ARGS__) __DEBRACKET sep F(36, __VA_ARGS__)
#define EMU_LISTIFY_38(F, sep, ...) EMU_LISTIFY_37(F, sep, __VA_ARGS__) __DEBRACKET sep F(37, __VA_ARGS__)
#define EMU_LISTIFY_39(F, sep, ...) EMU_LISTIFY_38(F, sep, __VA_ARGS__) __DEBRACKET sep F(38, __VA_ARGS__)
#define EMU_LISTIFY_40(F, sep, ...) EMU_LISTIFY_39(F, sep, __VA_ARGS__) __DEBRACKET sep F(39, __VA_ARGS__)
#define EMU_LISTIFY_41(F, sep, ...) EMU_LISTIFY_40(F, sep, __VA_ARGS__) __DEBRACKET sep F(40, __VA_ARGS__)
#define EMU_LISTIFY_42(F, sep, ...) EMU_LISTIFY_41(F, sep, __VA_ARGS__) __DEBRACKET sep F(41, __VA_ARGS__)
#define EMU_LISTIFY_43(F, sep, ...) EMU_LISTIFY_42(F, sep, __VA_ARGS__) __DEBRACKET sep F(42, __VA_ARGS__)
#define EMU_LISTIFY_44(F, sep, ...) EMU_LISTIFY_43(F, sep, __VA_ARGS__) __DEBRACKET sep F(43, __VA_ARGS__)
#define EMU_LISTIFY_45(F, sep, ...) EMU_LISTIFY_44(F, sep, __VA_ARGS__) __DEBRACKET sep F(44, __VA_ARGS__)
#define EMU_LISTIFY_46(F, sep, ...) EMU_LISTIFY_45(F, sep, __VA_ARGS__) __DEBRACKET sep F(45, __VA_ARGS__)
#define EMU_LISTIFY_47(F, sep, ...) EMU_LISTIFY_46(F, sep, __VA_ARGS__) __DEBRACKET sep F(46, __VA_ARGS__)
#define EMU_LISTIFY_48(F, sep, ...) EMU_LISTIFY_47(F, sep, __VA_ARGS__) __DEBRACKET sep F(47, __VA_ARGS__)
#define EMU_LISTIFY_49(F, sep, ...) EMU_LISTIFY_48(F, sep, __VA_ARGS__) __DEBRACKET sep F(48, __VA_ARGS__)
#define EMU_LISTIFY_50(F, sep, ...) EMU_LISTIFY_49(F, sep, __VA_ARGS__) __DEBRACKET sep F(49, __VA_ARGS__)
#define EMU_LISTIFY_51(F, sep, ...) EMU_LISTIFY_50(F, sep, __VA_ARGS__) __DEBRACKET sep F(50, __VA_ARGS__)
#define EMU_LISTIFY_52(F, sep, ...) EMU_LISTIFY_51(F, sep, __VA_ARGS__) __DEBRACKET sep F(51, __VA_ARGS__)
#define EMU_LISTIFY_53(F, sep, ...) EMU_LISTIFY_52(F, sep, __VA_ARGS__) __DEBRACKET sep F(52, __VA_ARGS__)
#define EMU_LISTIFY_54(F, sep, ...) EMU_LISTIFY_53(F, sep, __VA_ARGS__) __DEBRACKET sep F(53, __VA_ARGS__)
#define EMU_LISTIFY_55(F, sep, ...) EMU_LISTIFY_54(F, sep, __VA_ARGS__) __DEBRACKET sep F(54, __VA_ARGS__)
#define EMU_LISTIFY_56(F, sep, ...) EMU_LISTIFY_55(F, sep, __VA_ARGS__) __DEBRACKET sep F(55, __VA_ARGS__)
#define EMU_LISTIFY_57(F, sep, ...) EMU_LISTIFY_56(F, sep, __VA_ARGS__) __DEBRACKET sep F(56, __VA_ARGS__)
#define EMU_LISTIFY_58(F, sep, ...) EMU_LISTIFY_57(F, sep, __VA_ARGS__) __DEBRACKET sep F(57, __VA_ARGS__)
#define EMU_LISTIFY_59(F, sep, ...) EMU_LISTIFY_58(F, sep, __VA_ARGS__) __DEBRACKET sep F(58, __VA_ARGS__)
#define EMU_LISTIFY_60(F, sep, ...) EMU_LISTIFY_59(F, sep, __VA_ARGS__) __DEBRACKET sep F(59, __VA_ARGS__)
#define EMU_LISTIFY_61(F, sep, ...) EMU_LISTIFY_60(F, sep, __VA_ARGS__) __DEBRACKET sep F(60, __VA_ARGS__)
#define EMU_LISTIFY_62(F, sep, ...) EMU_LISTIFY_61(F, sep, __VA_ARGS__) __DEBRACKET sep F(61, __VA_ARGS__)
#define EMU_LISTIFY_63(F, sep, ...) EMU_LISTIFY_62(F, sep, __VA_ARGS__) __DEBRACKET sep F(62, __VA_ARGS__)
#define EMU_LISTIFY_64(F, sep, ...) EMU_LISTIFY_63(F, sep, __VA_ARGS__) __DEBRACKET sep F(63, __VA_ARGS__)
#define EMU_LISTIFY_65(F, sep, ...) EMU_LISTIFY_64(F, sep, __VA_ARGS__) __DEBRACKET sep F(64, __VA_ARGS__)
#define EMU_LISTIFY_66(F, sep, ...) EMU_LISTIFY_65(F, sep, __VA_ARGS__) __DEBRACKET sep F(65, __VA_ARGS__)
#define EMU_LISTIFY_67(F, sep, ...) EMU_LISTIFY_66(F, sep, __VA_ARGS__) __DEBRACKET sep F(66, __VA_ARGS__)
#define EMU_LISTIFY_68(F, sep, ...) EMU_LISTIFY_67(F, sep, __VA_ARGS__) __DEBRACKET sep F(67, __VA_ARGS__)
#define EMU_LISTIFY_69(F, sep, ...) EMU_LISTIFY_68(F, sep, __VA_ARGS__) __DEBRACKET sep F(68, __VA_ARGS__)
#define EMU_LISTIFY_70(F, sep, ...) EMU_LISTIFY_69(F, sep, __VA_ARGS__) __DEBRACKET sep F(69, __VA_ARGS__)
#define EMU_LISTIFY_71(F, sep, ...) EMU_LISTIFY_70(F, sep, __VA_ARGS__) __DEBRACKET sep F(70, __VA_ARGS__)
#define EMU_LISTIFY_72(F, sep, ...) EMU_LISTIFY_71(F, sep, __VA_ARGS__) __DEBRACKET sep F(71, __VA_ARGS__)
#define EMU_LISTIFY_73(F, sep, ...) EMU_LISTIFY_72(F, sep, __VA_ARGS__) __DEBRACKET sep F(72, __VA_ARGS__)
#define EMU_LISTIFY_74(F, sep, ...) EMU_LISTIFY_73(F, sep, __VA_ARGS__) __DEBRACKET sep F(73, __VA_ARGS__)
#define EMU_LISTIFY_75(F, sep, ...) EMU_LISTIFY_74(F, sep, __VA_ARGS__) __DEBRACKET sep F(74, __VA_ARGS__)
#define EMU_LISTIFY_76(F, sep, ...) EMU_LISTIFY_75(F, sep, __VA_ARGS__) __DEBRACKET sep F(75, __VA_ARGS__)
#define EMU_LISTIFY_77(F, sep, ...) EMU_LISTIFY_76(F, sep, __VA_ARGS__) __DEBRACKET sep F(76, __VA_ARGS__)
#define EMU_LISTIFY_78(F, sep, ...) EMU_LISTIFY_77(F, sep, __VA_ARGS__) __DEBRACKET sep F(77, __VA_ARGS__)
#define EMU_LISTIFY_79(F, sep, ...) EMU_LISTIFY_78(F, sep, __VA_ARGS__) __DEBRACKET sep F(78, __VA_ARGS__)
#define EMU_LISTIFY_80(F, sep, ...) EMU_LISTIFY_79(F, sep, __VA_ARGS__) __DEBRACKET sep F(79, __VA_ARGS__)
#define EMU_LISTIFY_81(F, sep, ...) EMU_LISTIFY_80(F, sep, __VA_ARGS__) __DEBRACKET sep F(80, __VA_ARGS__)
#define EMU_LISTIFY_82(F, sep, ...) EMU_LISTIFY_81(F, sep, __VA_ARGS__) __DEBRACKET sep F(81, __VA_ARGS__)
#define EMU_LISTIFY_83(F, sep, ...) EMU_LISTIFY_82(F, sep, __VA_ARGS__) __DEBRACKET sep F(82, __VA_ARGS__)
#define EMU_LISTIFY_84(F, sep, ...) EMU_LISTIFY_83(F, sep, __VA_ARGS__) __DEBRACKET sep F(83, __VA_ARGS__)
#define EMU_LISTIFY_85(F, sep, ...) EMU_LISTIFY_84(F, sep, __VA_ARGS__) __DEBRACKET sep F(84, __VA_ARGS__)
#define EMU_LISTIFY_86(F, sep, ...) EMU_LISTIFY_85(F, sep, __VA_ARGS__) __DEBRACKET sep F(85, __VA_ARGS__)
#define EMU_LISTIFY_87(F, sep, ...) EMU_LISTIFY_86(F, sep, __VA_ARGS__) __DEBRACKET sep F(86, __VA_ARGS__)
#define EMU_LISTIFY_88(F, sep, ...) EMU_LISTIFY_87(F, sep, __VA_ARGS__) __DEBRACKET sep F(87, __VA_ARGS__)
#define EMU_LISTIFY_89(F, sep, ...) EMU_LISTIFY_88(F, sep, __VA_ARGS__) __DEBRACKET sep F(88, __VA_ARGS__)
#define EMU_LISTIFY_90(F, sep, ...) EMU_LISTIFY_89(F, sep, __VA_ARGS__) __DEBRACKET sep F(89, __VA_ARGS__)
#define EMU_LISTIFY_91(F, sep, ...) EMU_LISTIFY_90(F, sep, __VA_ARGS__) __DEBRACKET sep F(90, __VA_ARGS__)
#define EMU_LISTIFY_92(F, sep, ...) EMU_LISTIFY_91(F, sep, __VA_ARGS__) __DEBRACKET sep F(91, __VA_ARGS__)
#define EMU_LISTIFY_93(F, sep, ...) EMU_LISTIFY_92(F, sep, __VA_ARGS__) __DEBRACKET sep F(92, __VA_ARGS__)
#define EMU_LISTIFY_94(F, sep, ...) EMU_LISTIFY_93(F, sep, __VA_ARGS__) __DEBRACKET sep F(93, __VA_ARGS__)
#define EMU_LISTIFY_95(F, sep, ...) EMU_LISTIFY_94(F, sep, __VA_ARGS__) __DEBRACKET sep F(94, __VA_ARGS__)
#define EMU_LISTIFY_96(F, sep, ...) EMU_LISTIFY_95(F, sep, __VA_ARGS__) __DEBRACKET sep F(95, __VA_ARGS__)
#define EMU_LISTIFY_97(F, sep, ...) EMU_LISTIFY_96(F, sep, __VA_ARGS__) __DEBRACKET sep F(96, __VA_ARGS__)
#define EMU_LISTIFY_98(F, sep, ...) EMU_LISTIFY_97(F, sep, __VA_ARGS__) __DEBRACKET sep F(97, __VA_ARGS__)
#define EMU_LISTIFY_99(F, sep, ...) EMU_LISTIFY_98(F, sep, __VA_ARGS__) __DEBRACKET sep F(98, __VA_ARGS__)
#define EMU_LISTIFY_100(F, sep, ...) EMU_LISTIFY_99(F, sep, __VA_ARGS__) __DEBRACKET sep F(99, __VA_ARGS__)
#define EMU_LISTIFY_101(F, sep, ...) EMU_LISTIFY_100(F, sep, __VA_ARGS__) __DEBRACKET sep F(100, __VA_ARGS__)
#define EMU_LISTIFY_102(F, sep, ...) EMU_LISTIFY_101(F, sep, __VA_ARGS__) __DEBRACKET sep F(101, __VA_ARGS__)
#define EMU_LISTIFY_103(F, sep, ...) EMU_LISTIFY_102(F, sep, __VA_ARGS__) __DEBRACKET sep F(102, __VA_ARGS__)
#define EMU_LISTIFY_104(F, sep, ...) EMU_LISTIFY_103(F, sep, __VA_ARGS__) __DEBRACKET sep F(103, __VA_ARGS__)
#define EMU_LISTIFY_105(F, sep, ...) EMU_LISTIFY_104(F, sep, __VA_ARGS__) __DEBRACKET sep F(104, __VA_ARGS__)
#define EMU_LISTIFY_106(F, sep, ...) EMU_LISTIFY_105(F, sep, __VA_ARGS__) __DEBRACKET sep F(105, __VA_ARGS__)
#define EMU_LISTIFY_107(F, sep, ...) EMU_LISTIFY_106(F, sep, __VA_ARGS__) __DEBRACKET sep F(106, __VA_ARGS__)
#define EMU_LISTIFY_108(F, sep, ...) EMU_LISTIFY_107(F, sep, __VA_ARGS__) __DEBRACKET sep F(107, __VA_ARGS__)
#define EMU_LISTIFY_109(F, sep, ...) EMU_LISTIFY_108(F, sep, __VA_ARGS__) __DEBRACKET sep F(108, __VA_ARGS__)
#define EMU_LISTIFY_110(F, sep, ...) EMU_LISTIFY_109(F, sep, __VA_ARGS__) __DEBRACKET sep F(109, __VA_ARGS__)
#define EMU_LISTIFY_111(F, sep, ...) EMU_LISTIFY_110(F, sep, __VA_ARGS__) __DEBRACKET sep F(110, __VA_ARGS__)
#define EMU_LISTIFY_112(F, sep, ...) EMU_LISTIFY_111(F, sep, __VA_ARGS__) __DEBRACKET sep F(111, __VA_ARGS__)
#define EMU_LISTIFY_113(F, sep, ...) EMU_LISTIFY_112(F, sep, __VA_ARGS__) __DEBRACKET sep F(112, __VA_ARGS__)
#define EMU_LISTIFY_114(F, sep, ...) EMU_LISTIFY_113(F, sep, __VA_ARGS__) __DEBRACKET sep F(113, __VA_ARGS__)
#define EMU_LISTIFY_115(F, sep, ...) EMU_LISTIFY_114(F, sep, __VA_ARGS__) __DEBRACKET sep F(114, __VA_ARGS__)
#define EMU_LISTIFY_116(F, sep, ...) EMU_LISTIFY_115(F, sep, __VA_ARGS__) __DEBRACKET sep F(115, __VA_ARGS__)
#define EMU_LISTIFY_117(F, sep, ...) EMU_LISTIFY_116(F, sep, __VA_ARGS__) __DEBRACKET sep F(116, __VA_ARGS__)
#define EMU_LISTIFY_118(F, sep, ...) EMU_LISTIFY_117(F, sep, __VA_ARGS__) __DEBRACKET sep F(117, __VA_ARGS__)
#define EMU_LISTIFY_119(F, sep, ...) EMU_LISTIFY_118(F, sep, __VA_ARGS__) __DEBRACKET sep F(118, __VA_ARGS__)
#define EMU_LISTIFY_120(F, sep, ...) EMU_LISTIFY_119(F, sep, __VA_ARGS__) __DEBRACKET sep F(119, __VA_ARGS__)
#define EMU_LISTIFY_121(F, sep, ...) EMU_LISTIFY_120(F, sep, __VA_ARGS__) __DEBRACKET sep F(120, __VA_ARGS__)
#define EMU_LISTIFY_122(F, sep, ...) EMU_LISTIFY_121(F, sep, __VA_ARGS__) __DEBRACKET sep F(121, __VA_ARGS__)
#define EMU_LISTIFY_123(F, sep, ...) EMU_LISTIFY_122(F, sep, __VA_ARGS__) __DEBRACKET sep F(122, __VA_ARGS__)
#define EMU_LISTIFY_124(F, sep, ...) EMU_LISTIFY_123(F, sep, __VA_ARGS__) __DEBRACKET sep F(123, __VA_ARGS__)
#define EMU_LISTIFY_125(F, sep, ...) EMU_LISTIFY_124(F, sep, __VA_ARGS__) __DEBRACKET sep F(124, __VA_ARGS__)
#define EMU_LISTIFY_126(F, sep, ...) EMU_LISTIFY_125(F, sep, __VA_ARGS__) __DEBRACKET sep F(125, __VA_ARGS__)
#define EMU_LISTIFY_127(F, sep, ...) EMU_LISTIFY_126(F, sep, __VA_ARGS__) __DEBRACKET sep F(126, __VA_ARGS__)
#define EMU_LISTIFY_128(F, sep, ...) EMU_LISTIFY_127(F, sep, __VA_ARGS__) __DEBRACKET sep F(127, __VA_ARGS__)
#define EMU_LISTIFY_129(F, sep, ...) EMU_LISTIFY_128(F, sep, __VA_ARGS__) __DEBRACKET sep F(128, __VA_ARGS__)
#define EMU_LISTIFY_130(F, sep, ...) EMU_LISTIFY_129(F, sep, __VA_ARGS__) __DEBRACKET sep F(129, __VA_ARGS__)
#define EMU_LISTIFY_131(F, sep, ...) EMU_LISTIFY_130(F, sep, __VA_ARGS__) __DEBRACKET sep F(130, __VA_ARGS__)
#define EMU_LISTIFY_132(F, sep, ...) EMU_LISTIFY_131(F, sep, __VA_ARGS__) __DEBRACKET sep F(131, __VA_ARGS__)
#define EMU_LISTIFY_133(F, sep, ...) EMU_LISTIFY_132(F, sep, __VA_ARGS__) __DEBRACKET sep F(132, __VA_ARGS__)
#define EMU_LISTIFY_134(F, sep, ...) EMU_LISTIFY_133(F, sep, __VA_ARGS__) __DEBRACKET sep F(133, __VA_ARGS__)
#define EMU_LISTIFY_135(F, sep, ...) EMU_LISTIFY_134(F, sep, __VA_ARGS__) __DEBRACKET sep F(134, __VA_ARGS__)
#define EMU_LISTIFY_136(F, sep, ...) EMU_LISTIFY_135(F, sep, __VA_ARGS__) __DEBRACKET sep F(135, __VA_ARGS__)
#define EMU_LISTIFY_137(F, sep, ...) EMU_LISTIFY_136(F, sep, __VA_ARGS__) __DEBRACKET sep F(136, __VA_ARGS__)
#define EMU_LISTIFY_138(F, sep, ...) EMU_LISTIFY_137(F, sep, __VA_ARGS__) __DEBRACKET sep F(137, __VA_ARGS__)
#define EMU_LISTIFY_139(F, sep, ...) EMU_LISTIFY_138(F, sep, __VA_ARGS__) __DEBRACKET sep F(138, __VA_ARGS__)
#define EMU_LISTIFY_140(F, sep, ...) EMU_LISTIFY_139(F, sep, __VA_ARGS__) __DEBRACKET sep F(139, __VA_ARGS__)
#define EMU_LISTIFY_141(F, sep, ...) EMU_LISTIFY_140(F, sep, __VA_ARGS__) __DEBRACKET sep F(140, __VA_ARGS__)
#define EMU_LISTIFY_142(F, sep, ...) EMU_LISTIFY_141(F, sep, __VA_ARGS__) __DEBRACKET sep F(141, __VA_ARGS__)
#define EMU_LISTIFY_143(F, sep, ...) EMU_LISTIFY_142(F, sep, __VA_ARGS__) __DEBRACKET sep F(142, __VA_ARGS__)
#define EMU_LISTIFY_144(F, sep, ...) EMU_LISTIFY_143(F, sep, __VA_ARGS__) __DEBRACKET sep F(143, __VA_ARGS__)
#define EMU_LISTIFY_145(F, sep, ...) EMU_LISTIFY_144(F, sep, __VA_ARGS__) __DEBRACKET sep F(144, __VA_ARGS__)
#define EMU_LISTIFY_146(F, sep, ...) EMU_LISTIFY_145(F, sep, __VA_ARGS__) __DEBRACKET sep F(145, __VA_ARGS__)
#define EMU_LISTIFY_147(F, sep, ...) EMU_LISTIFY_146(F, sep, __VA_ARGS__) __DEBRACKET sep F(146, __VA_ARGS__)
#define EMU_LISTIFY_148(F, sep, ...) EMU_LISTIFY_147(F, sep, __VA_ARGS__) __DEBRACKET sep F(147, __VA_ARGS__)
#define EMU_LISTIFY_149(F, sep, ...) EMU_LISTIFY_148(F, sep, __VA_ARGS__) __DEBRACKET sep F(148, __VA_ARGS__)
#define EMU_LISTIFY_150(F, sep, ...) EMU_LISTIFY_149(F, sep, __VA_ARGS__) __DEBRACKET sep F(149, __VA_ARGS__)
#define EMU_LISTIFY_151(F, sep, ...) EMU_LISTIFY_150(F, sep, __VA_ARGS__) __DEBRACKET sep F(150, __VA_ARGS__)
#define EMU_LISTIFY_152(F, sep, ...) EMU_LISTIFY_151(F, sep, __VA_ARGS__) __DEBRACKET sep F(151, __VA_ARGS__)
#define EMU_LISTIFY_153(F, sep, ...) EMU_LISTIFY_152(F, sep, __VA_ARGS__) __DEBRACKET sep F(152, __VA_ARGS__)
#define EMU_LISTIFY_154(F, sep, ...) EMU_LISTIFY_153(F, sep, __VA_ARGS__) __DEBRACKET sep F(153, __VA_ARGS__)
#define EMU_LISTIFY_155(F, sep, ...) EMU_LISTIFY_154(F, sep, __VA_ARGS__) __DEBRACKET sep F(154, __VA_ARGS__)
#define EMU_LISTIFY_156(F, sep, ...) EMU_LISTIFY_155(F, sep, __VA_ARGS__) __DEBRACKET sep F(155, __VA_ARGS__)
#define EMU_LISTIFY_157(F, sep, ...) EMU_LISTIFY_156(F, sep, __VA_ARGS__) __DEBRACKET sep F(156, __VA_ARGS__)
#define EMU_LISTIFY_158(F, sep, ...) EMU_LISTIFY_157(F, sep, __VA_ARGS__) __DEBRACKET sep F(157, __VA_ARGS__)
#define EMU_LISTIFY_159(F, sep, ...) EMU_LISTIFY_158(F, sep, __VA_ARGS__) __DEBRACKET sep F(158, __VA_ARGS__)
#define EMU_LISTIFY_160(F, sep, ...) EMU_LISTIFY_159(F, sep, __VA_ARGS__) __DEBRACKET sep F(159, __VA_ARGS__)
#define EMU_LISTIFY_161(F, sep, ...) EMU_LISTIFY_160(F, sep, __VA_ARGS__) __DEBRACKET sep F(160, __VA_ARGS__)
#define EMU_LISTIFY_162(F, sep, ...) EMU_LISTIFY_161(F, sep, __VA_ARGS__) __DEBRACKET sep F(161, __VA_ARGS__)
#define EMU_LISTIFY_163(F, sep, ...) EMU_LISTIFY_162(F, sep, __VA_ARGS__) __DEBRACKET sep F(162, __VA_ARGS__)
#define EMU_LISTIFY_164(F, sep, ...) EMU_LISTIFY_163(F, sep, __VA_ARGS__) __DEBRACKET sep F(163, __VA_ARGS__)
#define EMU_LISTIFY_165(F, sep, ...) EMU_LISTIFY_164(F, sep, __VA_ARGS__) __DEBRACKET sep F(164, __VA_ARGS__)
#define EMU_LISTIFY_166(F, sep, ...) EMU_LISTIFY_165(F, sep, __VA_ARGS__) __DEBRACKET sep F(165, __VA_ARGS__)
#define EMU_LISTIFY_167(F, sep, ...) EMU_LISTIFY_166(F, sep, __VA_ARGS__) __DEBRACKET sep F(166, __VA_ARGS__)
#define EMU_LISTIFY_168(F, sep, ...) EMU_LISTIFY_167(F, sep, __VA_ARGS__) __DEBRACKET sep F(167, __VA_ARGS__)
#define EMU_LISTIFY_169(F, sep, ...) EMU_LISTIFY_168(F, sep, __VA_ARGS__) __DEBRACKET sep F(168, __VA_ARGS__)
#define EMU_LISTIFY_170(F, sep, ...) EMU_LISTIFY_169(F, sep, __VA_ARGS__) __DEBRACKET sep F(169, __VA_ARGS__)
#define EMU_LISTIFY_171(F, sep, ...) EMU_LISTIFY_170(F, sep, __VA_ARGS__) __DEBRACKET sep F(170, __VA_ARGS__)
#define EMU_LISTIFY_172(F, sep, ...) EMU_LISTIFY_171(F, sep, __VA_ARGS__) __DEBRACKET sep F(171, __VA_ARGS__)
#define EMU_LISTIFY_173(F, sep, ...) EMU_LISTIFY_172(F, sep, __VA_ARGS__) __DEBRACKET sep F(172, __VA_ARGS__)
#define EMU_LISTIFY_174(F, sep, ...) EMU_LISTIFY_173(F, sep, __VA_ARGS__) __DEBRACKET sep F(173, __VA_ARGS__)
#define EMU_LISTIFY_175(F, sep, ...) EMU_LISTIFY_174(F, sep, __VA_ARGS__) __DEBRACKET sep F(174, __VA_ARGS__)
#define EMU_LISTIFY_176(F, sep, ...) EMU_LISTIFY_175(F, sep, __VA_ARGS__) __DEBRACKET sep F(175, __VA_ARGS__)
#define EMU_LISTIFY_177(F, sep, ...) EMU_LISTIFY_176(F, sep, __VA_ARGS__) __DEBRACKET sep F(176, __VA_ARGS__)
#define EMU_LISTIFY_178(F, sep, ...) EMU_LISTIFY_177(F, sep, __VA_ARGS__) __DEBRACKET sep F(177, __VA_ARGS__)
#define EMU_LISTIFY_179(F, sep, ...) EMU_LISTIFY_178(F, sep, __VA_ARGS__) __DEBRACKET sep F(178, __VA_ARGS__)
#define EMU_LISTIFY_180(F, sep, ...) EMU_LISTIFY_179(F, sep, __VA_ARGS__) __DEBRACKET sep F(179, __VA_ARGS__)
#define EMU_LISTIFY_181(F, sep, ...) EMU_LISTIFY_180(F, sep, __VA_ARGS__) __DEBRACKET sep F(180, __VA_ARGS__)
#define EMU_LISTIFY_182(F, sep, ...) EMU_LISTIFY_181(F, sep, __VA_ARGS__) __DEBRACKET sep F(181, __VA_ARGS__)
#define EMU_LISTIFY_183(F, sep, ...) EMU_LISTIFY_182(F, sep, __VA_ARGS__) __DEBRACKET sep F(182, __VA_ARGS__)
#define EMU_LISTIFY_184(F, sep, ...) EMU_LISTIFY_183(F, sep, __VA_ARGS__) __DEBRACKET sep F(183, __VA_ARGS__)
#define EMU_LISTIFY_185(F, sep, ...) EMU_LISTIFY_184(F, sep, __VA_ARGS__) __DEBRACKET sep F(184, __VA_ARGS__)
#define EMU_LISTIFY_186(F, sep, ...) EMU_LISTIFY_185(F, sep, __VA_ARGS__) __DEBRACKET sep F(185, __VA_ARGS__)
#define EMU_LISTIFY_187(F, sep, ...) EMU_LISTIFY_186(F, sep, __VA_ARGS__) __DEBRACKET sep F(186, __VA_ARGS__)
#define EMU_LISTIFY_188(F, sep, ...) EMU_LISTIFY_187(F, sep, __VA_ARGS__) __DEBRACKET sep F(187, __VA_ARGS__)
#define EMU_LISTIFY_189(F, sep, ...) EMU_LISTIFY_188(F, sep, __VA_ARGS__) __DEBRACKET sep F(188, __VA_ARGS__)
#define EMU_LISTIFY_190(F, sep, ...) EMU_LISTIFY_189(F, sep, __VA_ARGS__) __DEBRACKET sep F(189, __VA_ARGS__)
#define EMU_LISTIFY_191(F, sep, ...) EMU_LISTIFY_190(F, sep, __VA_ARGS__) __DEBRACKET sep F(190, __VA_ARGS__)
#define EMU_LISTIFY_192(F, sep, ...) EMU_LISTIFY_191(F, sep, __VA_ARGS__) __DEBRACKET sep F(191, __VA_ARGS__)
#define EMU_LISTIFY_193(F, sep, ...) EMU_LISTIFY_192(F, sep, __VA_ARGS__) __DEBRACKET sep F(192, __VA_ARGS__)
#define EMU_LISTIFY_194(F, sep, ...) EMU_LISTIFY_193(F, sep, __VA_ARGS__) __DEBRACKET sep F(193, __VA_ARGS__)
#define EMU_LISTIFY_195(F, sep, ...) EMU_LISTIFY_194(F, sep, __VA_ARGS__) __DEBRACKET sep F(194, __VA_ARGS__)
#define EMU_LISTIFY_196(F, sep, ...) EMU_LISTIFY_195(F, sep, __VA_ARGS__) __DEBRACKET sep F(195, __VA_ARGS__)
#define EMU_LISTIFY_197(F, sep, ...) EMU_LISTIFY_196(F, sep, __VA_ARGS__) __DEBRACKET sep F(196, __VA_ARGS__)
#define EMU_LISTIFY_198(F, sep, ...) EMU_LISTIFY_197(F, sep, __VA_ARGS__) __DEBRACKET sep F(197, __VA_ARGS__)
#define EMU_LISTIFY_199(F, sep, ...) EMU_LISTIFY_198(F, sep, __VA_ARGS__) __DEBRACKET sep F(198, __VA_ARGS__)
#define EMU_LISTIFY_200(F, sep, ...) EMU_LISTIFY_199(F, sep, __VA_ARGS__) __DEBRACKET sep F(199, __VA_ARGS__)
#define EMU_LISTIFY_201(F, sep, ...) EMU_LISTIFY_200(F, sep, __VA_ARGS__) __DEBRACKET sep F(200, __VA_ARGS__)
#define EMU_LISTIFY_202(F, sep, ...) EMU_LISTIFY_201(F, sep, __VA_ARGS__) __DEBRACKET sep F(201, __VA_ARGS__)
#define EMU_LISTIFY_203(F, sep, ...) EMU_LISTIFY_202(F, sep, __VA_ARGS__) __DEBRACKET sep F(202, __VA_ARGS__)
#define EMU_LISTIFY_204(F, sep, ...) EMU_LISTIFY_203(F, sep, __VA_ARGS__) __DEBRACKET sep F(203, __VA_ARGS__)
#define EMU_LISTIFY_205(F, sep, ...) EMU_LISTIFY_204(F, sep, __VA_ARGS__) __DEBRACKET sep F(204, __VA_ARGS__)
#define EMU_LISTIFY_206(F, sep, ...) EMU_LISTIFY_205(F, sep, __VA_ARGS__) __DEBRACKET sep F(205, __VA_ARGS__)
#define EMU_LISTIFY_207(F, sep, ...) EMU_LISTIFY_206(F, sep, __VA_ARGS__) __DEBRACKET sep F(206, __VA_ARGS__)
#define EMU_LISTIFY_208(F, sep, ...) EMU_LISTIFY_207(F, sep, __VA_ARGS__) __DEBRACKET sep F(207, __VA_ARGS__)
#define EMU_LISTIFY_209(F, sep, ...) EMU_LISTIFY_208(F, sep, __VA_ARGS__) __DEBRACKET sep F(208, __VA_ARGS__)
#define EMU_LISTIFY_210(F, sep, ...) EMU_LISTIFY_209(F, sep, __VA_ARGS__) __DEBRACKET sep F(209, __VA_ARGS__)
#define EMU_LISTIFY_211(F, sep, ...) EMU_LISTIFY_210(F, sep, __VA_ARGS__) __DEBRACKET sep F(210, __VA_ARGS__)
#define EMU_LISTIFY_212(F, sep, ...) EMU_LISTIFY_211(F, sep, __VA_ARGS__) __DEBRACKET sep F(211, __VA_ARGS__)
#define EMU_LISTIFY_213(F, sep, ...) EMU_LISTIFY_212(F, sep, __VA_ARGS__) __DEBRACKET sep F(212, __VA_ARGS__)
#define EMU_LISTIFY_214(F, sep, ...) EMU_LISTIFY_213(F, sep, __VA_ARGS__) __DEBRACKET sep F(213, __VA_ARGS__)
#define EMU_LISTIFY_215(F, sep, ...) EMU_LISTIFY_214(F, sep, __VA_ARGS__) __DEBRACKET sep F(214, __VA_ARGS__)
#define EMU_LISTIFY_216(F, sep, ...) EMU_LISTIFY_215(F, sep, __VA_ARGS__) __DEBRACKET sep F(215, __VA_ARGS__)
#define EMU_LISTIFY_217(F, sep, ...) EMU_LISTIFY_216(F, sep, __VA_ARGS__) __DEBRACKET sep F(216, __VA_ARGS__)
#define EMU_LISTIFY_218(F, sep, ...) EMU_LISTIFY_217(F, sep, __VA_ARGS__) __DEBRACKET sep F(217, __VA_ARGS__)
#define EMU_LISTIFY_219(F, sep, ...) EMU_LISTIFY_218(F, sep, __VA_ARGS__) __DEBRACKET sep F(218, __VA_ARGS__)
#define EMU_LISTIFY_220(F, sep, ...) EMU_LISTIFY_219(F, sep, __VA_ARGS__) __DEBRACKET sep F(219, __VA_ARGS__)
#define EMU_LISTIFY_221(F, sep, ...) EMU_LISTIFY_220(F, sep, __VA_ARGS__) __DEBRACKET sep F(220, __VA_ARGS__)
#define EMU_LISTIFY_222(F, sep, ...) EMU_LISTIFY_221(F, sep, __VA_ARGS__) __DEBRACKET sep F(221, __VA_ARGS__)
#define EMU_LISTIFY_223(F, sep, ...) EMU_LISTIFY_222(F, sep, __VA_ARGS__) __DEBRACKET sep F(222, __VA_ARGS__)
#define EMU_LISTIFY_224(F, sep, ...) EMU_LISTIFY_223(F, sep, __VA_ARGS__) __DEBRACKET sep F(223, __VA_ARGS__)
#define EMU_LISTIFY_225(F, sep, ...) EMU_LISTIFY_224(F, sep, __VA_ARGS__) __DEBRACKET sep F(224, __VA_ARGS__)
#define EMU_LISTIFY_226(F, sep, ...) EMU_LISTIFY_225(F, sep, __VA_ARGS__) __DEBRACKET sep F(225, __VA_ARGS__)
#define EMU_LISTIFY_227(F, sep, ...) EMU_LISTIFY_226(F, sep, __VA_ARGS__) __DEBRACKET sep F(226, __VA_ARGS__)
#define EMU_LISTIFY_228(F, sep, ...) EMU_LISTIFY_227(F, sep, __VA_ARGS__) __DEBRACKET sep F(227, __VA_ARGS__)
#define EMU_LISTIFY_229(F, sep, ...) EMU_LISTIFY_228(F, sep, __VA_ARGS__) __DEBRACKET sep F(228, __VA_ARGS__)
#define EMU_LISTIFY_230(F, sep, ...) EMU_LISTIFY_229(F, sep, __VA_ARGS__) __DEBRACKET sep F(229, __VA_ARGS__)
#define EMU_LISTIFY_231(F, sep, ...) EMU_LISTIFY_230(F, sep, __VA_ARGS__) __DEBRACKET sep F(230, __VA_ARGS__)
#define EMU_LISTIFY_232(F, sep, ...) EMU_LISTIFY_231(F, sep, __VA_ARGS__) __DEBRACKET sep F(231, __VA_ARGS__)
#define EMU_LISTIFY_233(F, sep, ...) EMU_LISTIFY_232(F, sep, __VA_ARGS__) __DEBRACKET sep F(232, __VA_ARGS__)
#define EMU_LISTIFY_234(F, sep, ...) EMU_LISTIFY_233(F, sep, __VA_ARGS__) __DEBRACKET sep F(233, __VA_ARGS__)
#define EMU_LISTIFY_235(F, sep, ...) EMU_LISTIFY_234(F, sep, __VA_ARGS__) __DEBRACKET sep F(234, __VA_ARGS__)
#define EMU_LISTIFY_236(F, sep, ...) EMU_LISTIFY_235(F, sep, __VA_ARGS__) __DEBRACKET sep F(235, __VA_ARGS__)
#define EMU_LISTIFY_237(F, sep, ...) EMU_LISTIFY_236(F, sep, __VA_ARGS__) __DEBRACKET sep F(236, __VA_ARGS__)
#define EMU_LISTIFY_238(F, sep, ...) EMU_LISTIFY_237(F, sep, __VA_ARGS__) __DEBRACKET sep F(237, __VA_ARGS__)
#define EMU_LISTIFY_239(F, sep, ...) EMU_LISTIFY_238(F, sep, __VA_ARGS__) __DEBRACKET sep F(238, __VA_ARGS__)
#define EMU_LISTIFY_240(F, sep, ...) EMU_LISTIFY_239(F, sep, __VA_ARGS__) __DEBRACKET sep F(239, __VA_ARGS__)
#define EMU_LISTIFY_241(F, sep, ...) EMU_LISTIFY_240(F, sep, __VA_ARGS__) __DEBRACKET sep F(240, __VA_ARGS__)
#define EMU_LISTIFY_242(F, sep, ...) EMU_LISTIFY_241(F, sep, __VA_ARGS__) __DEBRACKET sep F(241, __VA_ARGS__)
#define EMU_LISTIFY_243(F, sep, ...) EMU_LISTIFY_242(F, sep, __VA_ARGS__) __DEBRACKET sep F(242, __VA_ARGS__)
#define EMU_LISTIFY_244(F, sep, ...) EMU_LISTIFY_243(F, sep, __VA_ARGS__) __DEBRACKET sep F(243, __VA_ARGS__)
#define EMU_LISTIFY_245(F, sep, ...) EMU_LISTIFY_244(F, sep, __VA_ARGS__) __DEBRACKET sep F(244, __VA_ARGS__)
#define EMU_LISTIFY_246(F, sep, ...) EMU_LISTIFY_245(F, sep, __VA_ARGS__) __DEBRACKET sep F(245, __VA_ARGS__)
#define EMU_LISTIFY_247(F, sep, ...) EMU_LISTIFY_246(F, sep, __VA_ARGS__) __DEBRACKET sep F(246, __VA_ARGS__)
#define EMU_LISTIFY_248(F, sep, ...) EMU_LISTIFY_247(F, sep, __VA_ARGS__) __DEBRACKET sep F(247, __VA_ARGS__)
#define EMU_LISTIFY_249(F, sep, ...) EMU_LISTIFY_248(F, sep, __VA_ARGS__) __DEBRACKET sep F(248, __VA_ARGS__)
#define EMU_LISTIFY_250(F, sep, ...) EMU_LISTIFY_249(F, sep, __VA_ARGS__) __DEBRACKET sep F(249, __VA_ARGS__)
#define EMU_LISTIFY_251(F, sep, ...) EMU_LISTIFY_250(F, sep, __VA_ARGS__) __DEBRACKET sep F(250, __VA_ARGS__)
#define EMU_LISTIFY_252(F, sep, ...) EMU_LISTIFY_251(F, sep, __VA_ARGS__) __DEBRACKET sep F(251, __VA_ARGS__)
#define EMU_LISTIFY_253(F, sep, ...) EMU_LISTIFY_252(F, sep, __VA_ARGS__) __DEBRACKET sep F(252, __VA_ARGS__)
#define EMU_LISTIFY_254(F, sep, ...) EMU_LISTIFY_253(F, sep, __VA_ARGS__) __DEBRACKET sep F(253, __VA_ARGS__)
#define EMU_LISTIFY_255(F, sep, ...) EMU_LISTIFY_254(F, sep, __VA_ARGS__) __DEBRACKET sep F(254, __VA_ARGS__)

/* Argument counting: the (A+1)th argument after the list */
#define EMU_ARG_N_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, _64, N, ...) N
#define EMU_RSEQ_N 64, 63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0
#define EMU_COMMA_N_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, _64, _65, _66, _67, _68, _69, _70, _71, _72, _73, _74, _75, _76, _77, _78, _79, _80, _81, _82, _83, _84, _85, _86, _87, _88, _89, _90, _91, _92, _93, _94, _95, _96, _97, _98, _99, _100, _101, _102, _103, _104, _105, _106, _107, _108, _109, _110, _111, _112, _113, _114, _115, _116, _117, _118, _119, _120, _121, _122, _123, _124, _125, _126, _127, _128, N, ...) N
#define EMU_COMMA_SEQ_N 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0

/* FOR_EACH family, by argument count */
#define EMU_FE_0(F, sep, ...)
#define EMU_FE_1(F, sep, x, ...) F(x)
#define EMU_FE_2(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_1(F, sep, __VA_ARGS__)
#define EMU_FE_3(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_2(F, sep, __VA_ARGS__)
#define EMU_FE_4(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_3(F, sep, __VA_ARGS__)
#define EMU_FE_5(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_4(F, sep, __VA_ARGS__)
#define EMU_FE_6(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_5(F, sep, __VA_ARGS__)
#define EMU_FE_7(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_6(F, sep, __VA_ARGS__)
#define EMU_FE_8(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_7(F, sep, __VA_ARGS__)
#define EMU_FE_9(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_8(F, sep, __VA_ARGS__)
#define EMU_FE_10(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_9(F, sep, __VA_ARGS__)
#define EMU_FE_11(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_10(F, sep, __VA_ARGS__)
#define EMU_FE_12(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_11(F, sep, __VA_ARGS__)
#define EMU_FE_13(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_12(F, sep, __VA_ARGS__)
#define EMU_FE_14(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_13(F, sep, __VA_ARGS__)
#define EMU_FE_15(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_14(F, sep, __VA_ARGS__)
#define EMU_FE_16(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_15(F, sep, __VA_ARGS__)
#define EMU_FE_17(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_16(F, sep, __VA_ARGS__)
#define EMU_FE_18(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_17(F, sep, __VA_ARGS__)
#define EMU_FE_19(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_18(F, sep, __VA_ARGS__)
#define EMU_FE_20(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_19(F, sep, __VA_ARGS__)
#define EMU_FE_21(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_20(F, sep, __VA_ARGS__)
#define EMU_FE_22(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_21(F, sep, __VA_ARGS__)
#define EMU_FE_23(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_22(F, sep, __VA_ARGS__)
#define EMU_FE_24(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_23(F, sep, __VA_ARGS__)
#define EMU_FE_25(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_24(F, sep, __VA_ARGS__)
#define EMU_FE_26(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_25(F, sep, __VA_ARGS__)
#define EMU_FE_27(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_26(F, sep, __VA_ARGS__)
#define EMU_FE_28(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_27(F, sep, __VA_ARGS__)
#define EMU_FE_29(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_28(F, sep, __VA_ARGS__)
#define EMU_FE_30(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_29(F, sep, __VA_ARGS__)
#define EMU_FE_31(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_30(F, sep, __VA_ARGS__)
#define EMU_FE_32(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_31(F, sep, __VA_ARGS__)
#define EMU_FE_33(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_32(F, sep, __VA_ARGS__)
#define EMU_FE_34(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_33(F, sep, __VA_ARGS__)
#define EMU_FE_35(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_34(F, sep, __VA_ARGS__)
#define EMU_FE_36(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_35(F, sep, __VA_ARGS__)
#define EMU_FE_37(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_36(F, sep, __VA_ARGS__)
#define EMU_FE_38(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_37(F, sep, __VA_ARGS__)
#define EMU_FE_39(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_38(F, sep, __VA_ARGS__)
#define EMU_FE_40(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_39(F, sep, __VA_ARGS__)
#define EMU_FE_41(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_40(F, sep, __VA_ARGS__)
#define EMU_FE_42(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_41(F, sep, __VA_ARGS__)
#define EMU_FE_43(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_42(F, sep, __VA_ARGS__)
#define EMU_FE_44(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_43(F, sep, __VA_ARGS__)
#define EMU_FE_45(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_44(F, sep, __VA_ARGS__)
#define EMU_FE_46(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_45(F, sep, __VA_ARGS__)
#define EMU_FE_47(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_46(F, sep, __VA_ARGS__)
#define EMU_FE_48(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_47(F, sep, __VA_ARGS__)
#define EMU_FE_49(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_48(F, sep, __VA_ARGS__)
#define EMU_FE_50(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_49(F, sep, __VA_ARGS__)
#define EMU_FE_51(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_50(F, sep, __VA_ARGS__)
#define EMU_FE_52(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_51(F, sep, __VA_ARGS__)
#define EMU_FE_53(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_52(F, sep, __VA_ARGS__)
#define EMU_FE_54(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_53(F, sep, __VA_ARGS__)
#define EMU_FE_55(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_54(F, sep, __VA_ARGS__)
#define EMU_FE_56(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_55(F, sep, __VA_ARGS__)
#define EMU_FE_57(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_56(F, sep, __VA_ARGS__)
#define EMU_FE_58(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_57(F, sep, __VA_ARGS__)
#define EMU_FE_59(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_58(F, sep, __VA_ARGS__)
#define EMU_FE_60(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_59(F, sep, __VA_ARGS__)
#define EMU_FE_61(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_60(F, sep, __VA_ARGS__)
#define EMU_FE_62(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_61(F, sep, __VA_ARGS__)
#define EMU_FE_63(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_62(F, sep, __VA_ARGS__)
#define EMU_FE_64(F, sep, x, ...) F(x) __DEBRACKET sep EMU_FE_63(F, sep, __VA_ARGS__)
#define EMU_FEI_0(F, sep, i, ...)
#define EMU_FEI_1(F, sep, i, x, ...) F(i, x)
#define EMU_FEI_2(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_1(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_3(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_2(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_4(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_3(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_5(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_4(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_6(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_5(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_7(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_6(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_8(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_7(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_9(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_8(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_10(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_9(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_11(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_10(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_12(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_11(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_13(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_12(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_14(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_13(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_15(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_14(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_16(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_15(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_17(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_16(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_18(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_17(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_19(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_18(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_20(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_19(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_21(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_20(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_22(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_21(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_23(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_22(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_24(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_23(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_25(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_24(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_26(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_25(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_27(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_26(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_28(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_27(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_29(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_28(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_30(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_29(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_31(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_30(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_32(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_31(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_33(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_32(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_34(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_33(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_35(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_34(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_36(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_35(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_37(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_36(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_38(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_37(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_39(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_38(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_40(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_39(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_41(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_40(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_42(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_41(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_43(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_42(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_44(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_43(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_45(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_44(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_46(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_45(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_47(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_46(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_48(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_47(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_49(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_48(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_50(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_49(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_51(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_50(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_52(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_51(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_53(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_52(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_54(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_53(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_55(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_54(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_56(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_55(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_57(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_56(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_58(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_57(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_59(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_58(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_60(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_59(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_61(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_60(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_62(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_61(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_63(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_62(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEI_64(F, sep, i, x, ...) F(i, x) __DEBRACKET sep EMU_FEI_63(F, sep, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEF_0(F, sep, a, ...)
#define EMU_FEF_1(F, sep, a, x, ...) F(x, a)
#define EMU_FEF_2(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_1(F, sep, a, __VA_ARGS__)
#define EMU_FEF_3(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_2(F, sep, a, __VA_ARGS__)
#define EMU_FEF_4(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_3(F, sep, a, __VA_ARGS__)
#define EMU_FEF_5(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_4(F, sep, a, __VA_ARGS__)
#define EMU_FEF_6(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_5(F, sep, a, __VA_ARGS__)
#define EMU_FEF_7(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_6(F, sep, a, __VA_ARGS__)
#define EMU_FEF_8(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_7(F, sep, a, __VA_ARGS__)
#define EMU_FEF_9(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_8(F, sep, a, __VA_ARGS__)
#define EMU_FEF_10(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_9(F, sep, a, __VA_ARGS__)
#define EMU_FEF_11(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_10(F, sep, a, __VA_ARGS__)
#define EMU_FEF_12(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_11(F, sep, a, __VA_ARGS__)
#define EMU_FEF_13(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_12(F, sep, a, __VA_ARGS__)
#define EMU_FEF_14(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_13(F, sep, a, __VA_ARGS__)
#define EMU_FEF_15(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_14(F, sep, a, __VA_ARGS__)
#define EMU_FEF_16(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_15(F, sep, a, __VA_ARGS__)
#define EMU_FEF_17(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_16(F, sep, a, __VA_ARGS__)
#define EMU_FEF_18(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_17(F, sep, a, __VA_ARGS__)
#define EMU_FEF_19(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_18(F, sep, a, __VA_ARGS__)
#define EMU_FEF_20(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_19(F, sep, a, __VA_ARGS__)
#define EMU_FEF_21(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_20(F, sep, a, __VA_ARGS__)
#define EMU_FEF_22(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_21(F, sep, a, __VA_ARGS__)
#define EMU_FEF_23(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_22(F, sep, a, __VA_ARGS__)
#define EMU_FEF_24(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_23(F, sep, a, __VA_ARGS__)
#define EMU_FEF_25(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_24(F, sep, a, __VA_ARGS__)
#define EMU_FEF_26(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_25(F, sep, a, __VA_ARGS__)
#define EMU_FEF_27(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_26(F, sep, a, __VA_ARGS__)
#define EMU_FEF_28(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_27(F, sep, a, __VA_ARGS__)
#define EMU_FEF_29(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_28(F, sep, a, __VA_ARGS__)
#define EMU_FEF_30(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_29(F, sep, a, __VA_ARGS__)
#define EMU_FEF_31(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_30(F, sep, a, __VA_ARGS__)
#define EMU_FEF_32(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_31(F, sep, a, __VA_ARGS__)
#define EMU_FEF_33(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_32(F, sep, a, __VA_ARGS__)
#define EMU_FEF_34(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_33(F, sep, a, __VA_ARGS__)
#define EMU_FEF_35(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_34(F, sep, a, __VA_ARGS__)
#define EMU_FEF_36(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_35(F, sep, a, __VA_ARGS__)
#define EMU_FEF_37(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_36(F, sep, a, __VA_ARGS__)
#define EMU_FEF_38(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_37(F, sep, a, __VA_ARGS__)
#define EMU_FEF_39(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_38(F, sep, a, __VA_ARGS__)
#define EMU_FEF_40(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_39(F, sep, a, __VA_ARGS__)
#define EMU_FEF_41(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_40(F, sep, a, __VA_ARGS__)
#define EMU_FEF_42(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_41(F, sep, a, __VA_ARGS__)
#define EMU_FEF_43(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_42(F, sep, a, __VA_ARGS__)
#define EMU_FEF_44(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_43(F, sep, a, __VA_ARGS__)
#define EMU_FEF_45(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_44(F, sep, a, __VA_ARGS__)
#define EMU_FEF_46(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_45(F, sep, a, __VA_ARGS__)
#define EMU_FEF_47(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_46(F, sep, a, __VA_ARGS__)
#define EMU_FEF_48(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_47(F, sep, a, __VA_ARGS__)
#define EMU_FEF_49(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_48(F, sep, a, __VA_ARGS__)
#define EMU_FEF_50(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_49(F, sep, a, __VA_ARGS__)
#define EMU_FEF_51(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_50(F, sep, a, __VA_ARGS__)
#define EMU_FEF_52(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_51(F, sep, a, __VA_ARGS__)
#define EMU_FEF_53(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_52(F, sep, a, __VA_ARGS__)
#define EMU_FEF_54(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_53(F, sep, a, __VA_ARGS__)
#define EMU_FEF_55(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_54(F, sep, a, __VA_ARGS__)
#define EMU_FEF_56(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_55(F, sep, a, __VA_ARGS__)
#define EMU_FEF_57(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_56(F, sep, a, __VA_ARGS__)
#define EMU_FEF_58(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_57(F, sep, a, __VA_ARGS__)
#define EMU_FEF_59(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_58(F, sep, a, __VA_ARGS__)
#define EMU_FEF_60(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_59(F, sep, a, __VA_ARGS__)
#define EMU_FEF_61(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_60(F, sep, a, __VA_ARGS__)
#define EMU_FEF_62(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_61(F, sep, a, __VA_ARGS__)
#define EMU_FEF_63(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_62(F, sep, a, __VA_ARGS__)
#define EMU_FEF_64(F, sep, a, x, ...) F(x, a) __DEBRACKET sep EMU_FEF_63(F, sep, a, __VA_ARGS__)
#define EMU_FEIF_0(F, sep, a, i, ...)
#define EMU_FEIF_1(F, sep, a, i, x, ...) F(i, x, a)
#define EMU_FEIF_2(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_1(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_3(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_2(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_4(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_3(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_5(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_4(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_6(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_5(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_7(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_6(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_8(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_7(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_9(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_8(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_10(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_9(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_11(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_10(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_12(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_11(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_13(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_12(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_14(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_13(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_15(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_14(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_16(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_15(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_17(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_16(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_18(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_17(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_19(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_18(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_20(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_19(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_21(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_20(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_22(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_21(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_23(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_22(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_24(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_23(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_25(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_24(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_26(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_25(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_27(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_26(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_28(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_27(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_29(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_28(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_30(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_29(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_31(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_30(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_32(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_31(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_33(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_32(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_34(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_33(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_35(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_34(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_36(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_35(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_37(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_36(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_38(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_37(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_39(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_38(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_40(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_39(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_41(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_40(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_42(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_41(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_43(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_42(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_44(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_43(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_45(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_44(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_46(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_45(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_47(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_46(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_48(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_47(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_49(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_48(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_50(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_49(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_51(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_50(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_52(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_51(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_53(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_52(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_54(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_53(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_55(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_54(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_56(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_55(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_57(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_56(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_58(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_57(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_59(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_58(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_60(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_59(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_61(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_60(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_62(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_61(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_63(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_62(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FEIF_64(F, sep, a, i, x, ...) F(i, x, a) __DEBRACKET sep EMU_FEIF_63(F, sep, a, UTIL_INC(i), __VA_ARGS__)
#define EMU_FENT_0(F, term, ...)
#define EMU_FENT_1(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_0(F, term, __VA_ARGS__)
#define EMU_FENT_2(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_1(F, term, __VA_ARGS__)
#define EMU_FENT_3(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_2(F, term, __VA_ARGS__)
#define EMU_FENT_4(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_3(F, term, __VA_ARGS__)
#define EMU_FENT_5(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_4(F, term, __VA_ARGS__)
#define EMU_FENT_6(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_5(F, term, __VA_ARGS__)
#define EMU_FENT_7(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_6(F, term, __VA_ARGS__)
#define EMU_FENT_8(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_7(F, term, __VA_ARGS__)
#define EMU_FENT_9(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_8(F, term, __VA_ARGS__)
#define EMU_FENT_10(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_9(F, term, __VA_ARGS__)
#define EMU_FENT_11(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_10(F, term, __VA_ARGS__)
#define EMU_FENT_12(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_11(F, term, __VA_ARGS__)
#define EMU_FENT_13(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_12(F, term, __VA_ARGS__)
#define EMU_FENT_14(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_13(F, term, __VA_ARGS__)
#define EMU_FENT_15(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_14(F, term, __VA_ARGS__)
#define EMU_FENT_16(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_15(F, term, __VA_ARGS__)
#define EMU_FENT_17(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_16(F, term, __VA_ARGS__)
#define EMU_FENT_18(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_17(F, term, __VA_ARGS__)
#define EMU_FENT_19(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_18(F, term, __VA_ARGS__)
#define EMU_FENT_20(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_19(F, term, __VA_ARGS__)
#define EMU_FENT_21(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_20(F, term, __VA_ARGS__)
#define EMU_FENT_22(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_21(F, term, __VA_ARGS__)
#define EMU_FENT_23(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_22(F, term, __VA_ARGS__)
#define EMU_FENT_24(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_23(F, term, __VA_ARGS__)
#define EMU_FENT_25(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_24(F, term, __VA_ARGS__)
#define EMU_FENT_26(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_25(F, term, __VA_ARGS__)
#define EMU_FENT_27(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_26(F, term, __VA_ARGS__)
#define EMU_FENT_28(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_27(F, term, __VA_ARGS__)
#define EMU_FENT_29(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_28(F, term, __VA_ARGS__)
#define EMU_FENT_30(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_29(F, term, __VA_ARGS__)
#define EMU_FENT_31(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_30(F, term, __VA_ARGS__)
#define EMU_FENT_32(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_31(F, term, __VA_ARGS__)
#define EMU_FENT_33(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_32(F, term, __VA_ARGS__)
#define EMU_FENT_34(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_33(F, term, __VA_ARGS__)
#define EMU_FENT_35(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_34(F, term, __VA_ARGS__)
#define EMU_FENT_36(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_35(F, term, __VA_ARGS__)
#define EMU_FENT_37(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_36(F, term, __VA_ARGS__)
#define EMU_FENT_38(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_37(F, term, __VA_ARGS__)
#define EMU_FENT_39(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_38(F, term, __VA_ARGS__)
#define EMU_FENT_40(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_39(F, term, __VA_ARGS__)
#define EMU_FENT_41(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_40(F, term, __VA_ARGS__)
#define EMU_FENT_42(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_41(F, term, __VA_ARGS__)
#define EMU_FENT_43(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_42(F, term, __VA_ARGS__)
#define EMU_FENT_44(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_43(F, term, __VA_ARGS__)
#define EMU_FENT_45(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_44(F, term, __VA_ARGS__)
#define EMU_FENT_46(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_45(F, term, __VA_ARGS__)
#define EMU_FENT_47(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_46(F, term, __VA_ARGS__)
#define EMU_FENT_48(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_47(F, term, __VA_ARGS__)
#define EMU_FENT_49(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_48(F, term, __VA_ARGS__)
#define EMU_FENT_50(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_49(F, term, __VA_ARGS__)
#define EMU_FENT_51(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_50(F, term, __VA_ARGS__)
#define EMU_FENT_52(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_51(F, term, __VA_ARGS__)
#define EMU_FENT_53(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_52(F, term, __VA_ARGS__)
#define EMU_FENT_54(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_53(F, term, __VA_ARGS__)
#define EMU_FENT_55(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_54(F, term, __VA_ARGS__)
#define EMU_FENT_56(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_55(F, term, __VA_ARGS__)
#define EMU_FENT_57(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_56(F, term, __VA_ARGS__)
#define EMU_FENT_58(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_57(F, term, __VA_ARGS__)
#define EMU_FENT_59(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_58(F, term, __VA_ARGS__)
#define EMU_FENT_60(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_59(F, term, __VA_ARGS__)
#define EMU_FENT_61(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_60(F, term, __VA_ARGS__)
#define EMU_FENT_62(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_61(F, term, __VA_ARGS__)
#define EMU_FENT_63(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_62(F, term, __VA_ARGS__)
#define EMU_FENT_64(F, term, x, ...) EMU_FENT_ONE(F, term, x) EMU_FENT_63(F, term, __VA_ARGS__)

/* GET_ARG_N / GET_ARGS_LESS_N */
#define EMU_GET_ARG_1(x, ...) x
#define EMU_GET_ARG_2(_1, x, ...) x
#define EMU_GET_ARG_3(_1, _2, x, ...) x
#define EMU_GET_ARG_4(_1, _2, _3, x, ...) x
#define EMU_GET_ARG_5(_1, _2, _3, _4, x, ...) x
#define EMU_GET_ARG_6(_1, _2, _3, _4, _5, x, ...) x
#define EMU_GET_ARG_7(_1, _2, _3, _4, _5, _6, x, ...) x
#define EMU_GET_ARG_8(_1, _2, _3, _4, _5, _6, _7, x, ...) x
#define EMU_GET_ARG_9(_1, _2, _3, _4, _5, _6, _7, _8, x, ...) x
#define EMU_GET_ARG_10(_1, _2, _3, _4, _5, _6, _7, _8, _9, x, ...) x
#define EMU_GET_ARG_11(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, x, ...) x
#define EMU_GET_ARG_12(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, x, ...) x
#define EMU_GET_ARG_13(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, x, ...) x
#define EMU_GET_ARG_14(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, x, ...) x
#define EMU_GET_ARG_15(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, x, ...) x
#define EMU_GET_ARG_16(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, x, ...) x
#define EMU_GET_ARG_17(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, x, ...) x
#define EMU_GET_ARG_18(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, x, ...) x
#define EMU_GET_ARG_19(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, x, ...) x
#define EMU_GET_ARG_20(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, x, ...) x
#define EMU_GET_ARG_21(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, x, ...) x
#define EMU_GET_ARG_22(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, x, ...) x
#define EMU_GET_ARG_23(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, x, ...) x
#define EMU_GET_ARG_24(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, x, ...) x
#define EMU_GET_ARG_25(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, x, ...) x
#define EMU_GET_ARG_26(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, x, ...) x
#define EMU_GET_ARG_27(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, x, ...) x
#define EMU_GET_ARG_28(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, x, ...) x
#define EMU_GET_ARG_29(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, x, ...) x
#define EMU_GET_ARG_30(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, x, ...) x
#define EMU_GET_ARG_31(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, x, ...) x
#define EMU_GET_ARG_32(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, x, ...) x
#define EMU_GET_ARG_33(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, x, ...) x
#define EMU_GET_ARG_34(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, x, ...) x
#define EMU_GET_ARG_35(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, x, ...) x
#define EMU_GET_ARG_36(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, x, ...) x
#define EMU_GET_ARG_37(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, x, ...) x
#define EMU_GET_ARG_38(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, x, ...) x
#define EMU_GET_ARG_39(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, x, ...) x
#define EMU_GET_ARG_40(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, x, ...) x
#define EMU_GET_ARG_41(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, x, ...) x
#define EMU_GET_ARG_42(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, x, ...) x
#define EMU_GET_ARG_43(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, x, ...) x
#define EMU_GET_ARG_44(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, x, ...) x
#define EMU_GET_ARG_45(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, x, ...) x
#define EMU_GET_ARG_46(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, x, ...) x
#define EMU_GET_ARG_47(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, x, ...) x
#define EMU_GET_ARG_48(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, x, ...) x
#define EMU_GET_ARG_49(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, x, ...) x
#define EMU_GET_ARG_50(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, x, ...) x
#define EMU_GET_ARG_51(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, x, ...) x
#define EMU_GET_ARG_52(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, x, ...) x
#define EMU_GET_ARG_53(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, x, ...) x
#define EMU_GET_ARG_54(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, x, ...) x
#define EMU_GET_ARG_55(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, x, ...) x
#define EMU_GET_ARG_56(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, x, ...) x
#define EMU_GET_ARG_57(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, x, ...) x
#define EMU_GET_ARG_58(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, x, ...) x
#define EMU_GET_ARG_59(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, x, ...) x
#define EMU_GET_ARG_60(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, x, ...) x
#define EMU_GET_ARG_61(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, x, ...) x
#define EMU_GET_ARG_62(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, x, ...) x
#define EMU_GET_ARG_63(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, x, ...) x
#define EMU_GET_ARG_64(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, x, ...) x
#define EMU_GET_ARGS_LESS_0(...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_1(_1, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_2(_1, _2, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_3(_1, _2, _3, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_4(_1, _2, _3, _4, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_5(_1, _2, _3, _4, _5, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_6(_1, _2, _3, _4, _5, _6, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_7(_1, _2, _3, _4, _5, _6, _7, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_8(_1, _2, _3, _4, _5, _6, _7, _8, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_9(_1, _2, _3, _4, _5, _6, _7, _8, _9, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_10(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_11(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_12(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_13(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_14(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_15(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_16(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_17(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_18(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_19(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_20(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_21(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_22(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_23(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_24(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_25(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_26(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_27(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_28(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_29(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_30(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_31(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_32(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_33(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_34(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_35(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_36(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_37(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_38(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_39(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_40(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_41(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_42(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_43(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_44(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_45(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_46(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_47(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_48(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_49(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_50(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_51(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_52(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_53(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_54(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_55(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_56(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_57(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_58(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_59(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_60(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_61(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_62(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_63(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, ...) __VA_ARGS__
#define EMU_GET_ARGS_LESS_64(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, _64, ...) __VA_ARGS__

/* REVERSE_ARGS */
#define EMU_REV_0(...)
#define EMU_REV_1(x, ...) x
#define EMU_REV_2(x, ...) EMU_REV_1(__VA_ARGS__), x
#define EMU_REV_3(x, ...) EMU_REV_2(__VA_ARGS__), x
#define EMU_REV_4(x, ...) EMU_REV_3(__VA_ARGS__), x
#define EMU_REV_5(x, ...) EMU_REV_4(__VA_ARGS__), x
#define EMU_REV_6(x, ...) EMU_REV_5(__VA_ARGS__), x
#define EMU_REV_7(x, ...) EMU_REV_6(__VA_ARGS__), x
#define EMU_REV_8(x, ...) EMU_REV_7(__VA_ARGS__), x
#define EMU_REV_9(x, ...) EMU_REV_8(__VA_ARGS__), x
#define EMU_REV_10(x, ...) EMU_REV_9(__VA_ARGS__), x
#define EMU_REV_11(x, ...) EMU_REV_10(__VA_ARGS__), x
#define EMU_REV_12(x, ...) EMU_REV_11(__VA_ARGS__), x
#define EMU_REV_13(x, ...) EMU_REV_12(__VA_ARGS__), x
#define EMU_REV_14(x, ...) EMU_REV_13(__VA_ARGS__), x
#define EMU_REV_15(x, ...) EMU_REV_14(__VA_ARGS__), x
#define EMU_REV_16(x, ...) EMU_REV_15(__VA_ARGS__), x
#define EMU_REV_17(x, ...) EMU_REV_16(__VA_ARGS__), x
#define EMU_REV_18(x, ...) EMU_REV_17(__VA_ARGS__), x
#define EMU_REV_19(x, ...) EMU_REV_18(__VA_ARGS__), x
#define EMU_REV_20(x, ...) EMU_REV_19(__VA_ARGS__), x
#define EMU_REV_21(x, ...) EMU_REV_20(__VA_ARGS__), x
#define EMU_REV_22(x, ...) EMU_REV_21(__VA_ARGS__), x
#define EMU_REV_23(x, ...) EMU_REV_22(__VA_ARGS__), x
#define EMU_REV_24(x, ...) EMU_REV_23(__VA_ARGS__), x
#define EMU_REV_25(x, ...) EMU_REV_24(__VA_ARGS__), x
#define EMU_REV_26(x, ...) EMU_REV_25(__VA_ARGS__), x
#define EMU_REV_27(x, ...) EMU_REV_26(__VA_ARGS__), x
#define EMU_REV_28(x, ...) EMU_REV_27(__VA_ARGS__), x
#define EMU_REV_29(x, ...) EMU_REV_28(__VA_ARGS__), x
#define EMU_REV_30(x, ...) EMU_REV_29(__VA_ARGS__), x
#define EMU_REV_31(x, ...) EMU_REV_30(__VA_ARGS__), x
#define EMU_REV_32(x, ...) EMU_REV_31(__VA_ARGS__), x
#define EMU_REV_33(x, ...) EMU_REV_32(__VA_ARGS__), x
#define EMU_REV_34(x, ...) EMU_REV_33(__VA_ARGS__), x
#define EMU_REV_35(x, ...) EMU_REV_34(__VA_ARGS__), x
#define EMU_REV_36(x, ...) EMU_REV_35(__VA_ARGS__), x
#define EMU_REV_37(x, ...) EMU_REV_36(__VA_ARGS__), x
#define EMU_REV_38(x, ...) EMU_REV_37(__VA_ARGS__), x
#define EMU_REV_39(x, ...) EMU_REV_38(__VA_ARGS__), x
#define EMU_REV_40(x, ...) EMU_REV_39(__VA_ARGS__), x
#define EMU_REV_41(x, ...) EMU_REV_40(__VA_ARGS__), x
#define EMU_REV_42(x, ...) EMU_REV_41(__VA_ARGS__), x
#define EMU_REV_43(x, ...) EMU_REV_42(__VA_ARGS__), x
#define EMU_REV_44(x, ...) EMU_REV_43(__VA_ARGS__), x
#define EMU_REV_45(x, ...) EMU_REV_44(__VA_ARGS__), x
#define EMU_REV_46(x, ...) EMU_REV_45(__VA_ARGS__), x
#define EMU_REV_47(x, ...) EMU_REV_46(__VA_ARGS__), x
#define EMU_REV_48(x, ...) EMU_REV_47(__VA_ARGS__), x
#define EMU_REV_49(x, ...) EMU_REV_48(__VA_ARGS__), x
#define EMU_REV_50(x, ...) EMU_REV_49(__VA_ARGS__), x
#define EMU_REV_51(x, ...) EMU_REV_50(__VA_ARGS__), x
#define EMU_REV_52(x, ...) EMU_REV_51(__VA_ARGS__), x
#define EMU_REV_53(x, ...) EMU_REV_52(__VA_ARGS__), x
#define EMU_REV_54(x, ...) EMU_REV_53(__VA_ARGS__), x
#define EMU_REV_55(x, ...) EMU_REV_54(__VA_ARGS__), x
#define EMU_REV_56(x, ...) EMU_REV_55(__VA_ARGS__), x
#define EMU_REV_57(x, ...) EMU_REV_56(__VA_ARGS__), x
#define EMU_REV_58(x, ...) EMU_REV_57(__VA_ARGS__), x
#define EMU_REV_59(x, ...) EMU_REV_58(__VA_ARGS__), x
#define EMU_REV_60(x, ...) EMU_REV_59(__VA_ARGS__), x
#define EMU_REV_61(x, ...) EMU_REV_60(__VA_ARGS__), x
#define EMU_REV_62(x, ...) EMU_REV_61(__VA_ARGS__), x
#define EMU_REV_63(x, ...) EMU_REV_62(__VA_ARGS__), x
#define EMU_REV_64(x, ...) EMU_REV_63(__VA_ARGS__), x

/* MACRO_MAP_CAT */
#define EMU_MMC_0(m, ...)
#define EMU_MMC_1(m, x, ...) m(x)
#define EMU_MMC_2(m, x, ...) UTIL_CAT(m(x), EMU_MMC_1(m, __VA_ARGS__))
#define EMU_MMC_3(m, x, ...) UTIL_CAT(m(x), EMU_MMC_2(m, __VA_ARGS__))
#define EMU_MMC_4(m, x, ...) UTIL_CAT(m(x), EMU_MMC_3(m, __VA_ARGS__))
#define EMU_MMC_5(m, x, ...) UTIL_CAT(m(x), EMU_MMC_4(m, __VA_ARGS__))
#define EMU_MMC_6(m, x, ...) UTIL_CAT(m(x), EMU_MMC_5(m, __VA_ARGS__))
#define EMU_MMC_7(m, x, ...) UTIL_CAT(m(x), EMU_MMC_6(m, __VA_ARGS__))
#define EMU_MMC_8(m, x, ...) UTIL_CAT(m(x), EMU_MMC_7(m, __VA_ARGS__))
#define EMU_MMC_9(m, x, ...) UTIL_CAT(m(x), EMU_MMC_8(m, __VA_ARGS__))
#define EMU_MMC_10(m, x, ...) UTIL_CAT(m(x), EMU_MMC_9(m, __VA_ARGS__))
#define EMU_MMC_11(m, x, ...) UTIL_CAT(m(x), EMU_MMC_10(m, __VA_ARGS__))
#define EMU_MMC_12(m, x, ...) UTIL_CAT(m(x), EMU_MMC_11(m, __VA_ARGS__))
#define EMU_MMC_13(m, x, ...) UTIL_CAT(m(x), EMU_MMC_12(m, __VA_ARGS__))
#define EMU_MMC_14(m, x, ...) UTIL_CAT(m(x), EMU_MMC_13(m, __VA_ARGS__))
#define EMU_MMC_15(m, x, ...) UTIL_CAT(m(x), EMU_MMC_14(m, __VA_ARGS__))
#define EMU_MMC_16(m, x, ...) UTIL_CAT(m(x), EMU_MMC_15(m, __VA_ARGS__))
#define EMU_MMC_17(m, x, ...) UTIL_CAT(m(x), EMU_MMC_16(m, __VA_ARGS__))
#define EMU_MMC_18(m, x, ...) UTIL_CAT(m(x), EMU_MMC_17(m, __VA_ARGS__))
#define EMU_MMC_19(m, x, ...) UTIL_CAT(m(x), EMU_MMC_18(m, __VA_ARGS__))
#define EMU_MMC_20(m, x, ...) UTIL_CAT(m(x), EMU_MMC_19(m, __VA_ARGS__))
#define EMU_MMC_21(m, x, ...) UTIL_CAT(m(x), EMU_MMC_20(m, __VA_ARGS__))
#define EMU_MMC_22(m, x, ...) UTIL_CAT(m(x), EMU_MMC_21(m, __VA_ARGS__))
#define EMU_MMC_23(m, x, ...) UTIL_CAT(m(x), EMU_MMC_22(m, __VA_ARGS__))
#define EMU_MMC_24(m, x, ...) UTIL_CAT(m(x), EMU_MMC_23(m, __VA_ARGS__))
#define EMU_MMC_25(m, x, ...) UTIL_CAT(m(x), EMU_MMC_24(m, __VA_ARGS__))
#define EMU_MMC_26(m, x, ...) UTIL_CAT(m(x), EMU_MMC_25(m, __VA_ARGS__))
#define EMU_MMC_27(m, x, ...) UTIL_CAT(m(x), EMU_MMC_26(m, __VA_ARGS__))
#define EMU_MMC_28(m, x, ...) UTIL_CAT(m(x), EMU_MMC_27(m, __VA_ARGS__))
#define EMU_MMC_29(m, x, ...) UTIL_CAT(m(x), EMU_MMC_28(m, __VA_ARGS__))
#define EMU_MMC_30(m, x, ...) UTIL_CAT(m(x), EMU_MMC_29(m, __VA_ARGS__))
#define EMU_MMC_31(m, x, ...) UTIL_CAT(m(x), EMU_MMC_30(m, __VA_ARGS__))
#define EMU_MMC_32(m, x, ...) UTIL_CAT(m(x), EMU_MMC_31(m, __VA_ARGS__))
#define EMU_MMC_33(m, x, ...) UTIL_CAT(m(x), EMU_MMC_32(m, __VA_ARGS__))
#define EMU_MMC_34(m, x, ...) UTIL_CAT(m(x), EMU_MMC_33(m, __VA_ARGS__))
#define EMU_MMC_35(m, x, ...) UTIL_CAT(m(x), EMU_MMC_34(m, __VA_ARGS__))
#define EMU_MMC_36(m, x, ...) UTIL_CAT(m(x), EMU_MMC_35(m, __VA_ARGS__))
#define EMU_MMC_37(m, x, ...) UTIL_CAT(m(x), EMU_MMC_36(m, __VA_ARGS__))
#define EMU_MMC_38(m, x, ...) UTIL_CAT(m(x), EMU_MMC_37(m, __VA_ARGS__))
#define EMU_MMC_39(m, x, ...) UTIL_CAT(m(x), EMU_MMC_38(m, __VA_ARGS__))
#define EMU_MMC_40(m, x, ...) UTIL_CAT(m(x), EMU_MMC_39(m, __VA_ARGS__))
#define EMU_MMC_41(m, x, ...) UTIL_CAT(m(x), EMU_MMC_40(m, __VA_ARGS__))
#define EMU_MMC_42(m, x, ...) UTIL_CAT(m(x), EMU_MMC_41(m, __VA_ARGS__))
#define EMU_MMC_43(m, x, ...) UTIL_CAT(m(x), EMU_MMC_42(m, __VA_ARGS__))
#define EMU_MMC_44(m, x, ...) UTIL_CAT(m(x), EMU_MMC_43(m, __VA_ARGS__))
#define EMU_MMC_45(m, x, ...) UTIL_CAT(m(x), EMU_MMC_44(m, __VA_ARGS__))
#define EMU_MMC_46(m, x, ...) UTIL_CAT(m(x), EMU_MMC_45(m, __VA_ARGS__))
#define EMU_MMC_47(m, x, ...) UTIL_CAT(m(x), EMU_MMC_46(m, __VA_ARGS__))
#define EMU_MMC_48(m, x, ...) UTIL_CAT(m(x), EMU_MMC_47(m, __VA_ARGS__))
#define EMU_MMC_49(m, x, ...) UTIL_CAT(m(x), EMU_MMC_48(m, __VA_ARGS__))
#define EMU_MMC_50(m, x, ...) UTIL_CAT(m(x), EMU_MMC_49(m, __VA_ARGS__))
#define EMU_MMC_51(m, x, ...) UTIL_CAT(m(x), EMU_MMC_50(m, __VA_ARGS__))
#define EMU_MMC_52(m, x, ...) UTIL_CAT(m(x), EMU_MMC_51(m, __VA_ARGS__))
#define EMU_MMC_53(m, x, ...) UTIL_CAT(m(x), EMU_MMC_52(m, __VA_ARGS__))
#define EMU_MMC_54(m, x, ...) UTIL_CAT(m(x), EMU_MMC_53(m, __VA_ARGS__))
#define EMU_MMC_55(m, x, ...) UTIL_CAT(m(x), EMU_MMC_54(m, __VA_ARGS__))
#define EMU_MMC_56(m, x, ...) UTIL_CAT(m(x), EMU_MMC_55(m, __VA_ARGS__))
#define EMU_MMC_57(m, x, ...) UTIL_CAT(m(x), EMU_MMC_56(m, __VA_ARGS__))
#define EMU_MMC_58(m, x, ...) UTIL_CAT(m(x), EMU_MMC_57(m, __VA_ARGS__))
#define EMU_MMC_59(m, x, ...) UTIL_CAT(m(x), EMU_MMC_58(m, __VA_ARGS__))
#define EMU_MMC_60(m, x, ...) UTIL_CAT(m(x), EMU_MMC_59(m, __VA_ARGS__))
#define EMU_MMC_61(m, x, ...) UTIL_CAT(m(x), EMU_MMC_60(m, __VA_ARGS__))
#define EMU_MMC_62(m, x, ...) UTIL_CAT(m(x), EMU_MMC_61(m, __VA_ARGS__))
#define EMU_MMC_63(m, x, ...) UTIL_CAT(m(x), EMU_MMC_62(m, __VA_ARGS__))
#define EMU_MMC_64(m, x, ...) UTIL_CAT(m(x), EMU_MMC_63(m, __VA_ARGS__))
#define EMU_RSEQ_LESS_1 63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, ~

#endif /* ZEPHYR_INCLUDE_SYS_UTIL_MACRO_H_ */
