/** Turkish and English vocabulary of the sandbox catalog (pairs: [tr, en]). */
export const CATEGORY_TREE: [string, string, [string, string, [string, string][]][]][] = [
  [
    'Kadın',
    'Women',
    [
      [
        'Giyim',
        'Clothing',
        [
          ['Elbise', 'Dresses'],
          ['Gömlek', 'Shirts'],
          ['Etek', 'Skirts'],
          ['Ceket', 'Jackets'],
        ],
      ],
      [
        'Ayakkabı',
        'Shoes',
        [
          ['Sandalet', 'Sandals'],
          ['Bot', 'Boots'],
          ['Spor Ayakkabı', 'Sneakers'],
        ],
      ],
      [
        'Aksesuar',
        'Accessories',
        [
          ['Çanta', 'Bags'],
          ['Şal', 'Scarves'],
          ['Takı', 'Jewellery'],
        ],
      ],
      [
        'Plaj Giyim',
        'Swimwear',
        [
          ['Bikini', 'Bikinis'],
          ['Mayo', 'Swimsuits'],
          ['Puf', 'Poufs'],
        ],
      ],
    ],
  ],
  [
    'Erkek',
    'Men',
    [
      [
        'Giyim',
        'Clothing',
        [
          ['Tişört', 'T-Shirts'],
          ['Pantolon', 'Trousers'],
          ['Kazak', 'Sweaters'],
          ['Mont', 'Coats'],
        ],
      ],
      [
        'Ayakkabı',
        'Shoes',
        [
          ['Loafer', 'Loafers'],
          ['Çizme', 'High Boots'],
          ['Terlik', 'Slippers'],
        ],
      ],
      [
        'Aksesuar',
        'Accessories',
        [
          ['Kemer', 'Belts'],
          ['Cüzdan', 'Wallets'],
          ['Şapka', 'Hats'],
        ],
      ],
    ],
  ],
  [
    'Çocuk',
    'Kids',
    [
      [
        'Kız Çocuk',
        'Girls',
        [
          ['Elbise', 'Dresses'],
          ['Tayt', 'Leggings'],
        ],
      ],
      [
        'Erkek Çocuk',
        'Boys',
        [
          ['Şort', 'Shorts'],
          ['Sweatshirt', 'Sweatshirts'],
        ],
      ],
      [
        'Bebek',
        'Baby',
        [
          ['Tulum', 'Rompers'],
          ['Battaniye', 'Blankets'],
        ],
      ],
    ],
  ],
  [
    'Ev & Yaşam',
    'Home & Living',
    [
      [
        'Mutfak',
        'Kitchen',
        [
          ['Tencere', 'Pots'],
          ['Bardak', 'Glasses'],
          ['Çatal Bıçak', 'Cutlery'],
        ],
      ],
      [
        'Banyo',
        'Bathroom',
        [
          ['Havlu', 'Towels'],
          ['Bornoz', 'Bathrobes'],
        ],
      ],
      [
        'Dekorasyon',
        'Decoration',
        [
          ['Yastık', 'Cushions'],
          ['Mum', 'Candles'],
          ['Halı', 'Rugs'],
        ],
      ],
    ],
  ],
  [
    'Elektronik',
    'Electronics',
    [
      [
        'Telefon',
        'Phones',
        [
          ['Kılıf', 'Cases'],
          ['Şarj Aleti', 'Chargers'],
        ],
      ],
      [
        'Ses',
        'Audio',
        [
          ['Kulaklık', 'Headphones'],
          ['Hoparlör', 'Speakers'],
        ],
      ],
    ],
  ],
];

export const ADJECTIVES: [string, string][] = [
  ['Pamuklu', 'Cotton'],
  ['Keten', 'Linen'],
  ['Deri', 'Leather'],
  ['Yünlü', 'Woollen'],
  ['İpek', 'Silk'],
  ['Slim Fit', 'Slim Fit'],
  ['Oversize', 'Oversize'],
  ['Çizgili', 'Striped'],
  ['Desenli', 'Patterned'],
  ['Işıklı', 'Luminous'],
  ['Örgü', 'Knitted'],
  ['Klasik', 'Classic'],
  ['Günlük', 'Everyday'],
  ['Şık', 'Elegant'],
];

export const COLORS: { code: string; tr: string; en: string }[] = [
  { code: 'SIYAH', tr: 'Siyah', en: 'Black' },
  { code: 'BEYAZ', tr: 'Beyaz', en: 'White' },
  { code: 'KIRMIZI', tr: 'Kırmızı', en: 'Red' },
  { code: 'LACIVERT', tr: 'Lacivert', en: 'Navy' },
  { code: 'YESIL', tr: 'Yeşil', en: 'Green' },
  { code: 'GRI', tr: 'Gri', en: 'Grey' },
  { code: 'PEMBE', tr: 'Pembe', en: 'Pink' },
  { code: 'SARI', tr: 'Sarı', en: 'Yellow' },
];

export const SIZES: (string | number)[] = ['XS', 'S', 'M', 'L', 'XL', 36, 38, 40, 42, 44];

export function slugify(text: string): string {
  const map: Record<string, string> = { ç: 'c', ğ: 'g', ı: 'i', i̇: 'i', ö: 'o', ş: 's', ü: 'u' };
  return text
    .toLocaleLowerCase('tr')
    .replace(/[çğıöşü]/g, (c) => map[c] ?? c)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
