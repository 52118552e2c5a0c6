// The fake-value word lists. Append only: reordering or removing an entry changes pseudonyms.
#include "transformers/dictionaries.hpp"

#include <iterator>

namespace understudy::anonymizer {
namespace {

using std::string_view_literals::operator""sv;

constexpr std::string_view k_first_names[] = {
    "Aaron"sv, "Abigail"sv, "Adam"sv, "Adele"sv, "Adrian"sv, "Agnes"sv, "Ahmed"sv, "Aiko"sv, "Aisha"sv, "Alan"sv,
    "Alba"sv, "Albert"sv, "Alejandro"sv, "Alex"sv, "Alice"sv, "Alina"sv, "Amara"sv, "Amelia"sv, "Amir"sv, "Ana"sv,
    "Anders"sv, "Andrea"sv, "Andrei"sv, "Angela"sv, "Anika"sv, "Anna"sv, "Anton"sv, "Arjun"sv, "Astrid"sv, "Aurora"sv,
    "Ava"sv, "Axel"sv, "Ayumi"sv, "Beatriz"sv, "Ben"sv, "Bianca"sv, "Bjorn"sv, "Bruno"sv, "Caleb"sv, "Camila"sv,
    "Carla"sv, "Carlos"sv, "Carmen"sv, "Caroline"sv, "Chen"sv, "Chiara"sv, "Chloe"sv, "Claire"sv, "Clara"sv,
    "Colin"sv, "Dalia"sv, "Daniel"sv, "Daniela"sv, "Dario"sv, "David"sv, "Diana"sv, "Diego"sv, "Dmitri"sv, "Dora"sv,
    "Eamon"sv, "Edith"sv, "Eduardo"sv, "Elena"sv, "Eli"sv, "Elif"sv, "Elin"sv, "Eliza"sv, "Ella"sv, "Emil"sv,
    "Emily"sv, "Emma"sv, "Enzo"sv, "Erik"sv, "Esther"sv, "Ethan"sv, "Eva"sv, "Fabian"sv, "Farah"sv, "Fatima"sv,
    "Felix"sv, "Fernando"sv, "Fiona"sv, "Florian"sv, "Francesca"sv, "Frank"sv, "Freya"sv, "Gabriel"sv, "Gemma"sv,
    "Georg"sv, "Gianni"sv, "Grace"sv, "Greta"sv, "Hana"sv, "Hannah"sv, "Hassan"sv, "Hector"sv, "Heidi"sv, "Helena"sv,
    "Henrik"sv, "Hiroshi"sv, "Hugo"sv, "Ibrahim"sv, "Ida"sv, "Ines"sv, "Ingrid"sv, "Irene"sv, "Isaac"sv,
    "Isabel"sv, "Ivan"sv, "Jack"sv, "Jakob"sv, "James"sv, "Jana"sv, "Jasmin"sv, "Javier"sv, "Jin"sv, "Joana"sv,
    "Johan"sv, "Jonas"sv, "Jorge"sv, "Josefine"sv, "Julia"sv, "Julian"sv, "Kai"sv, "Kamala"sv, "Karim"sv, "Karin"sv,
    "Kasper"sv, "Kate"sv, "Kenji"sv, "Kira"sv, "Lara"sv, "Lars"sv, "Laura"sv, "Layla"sv, "Lea"sv, "Leo"sv,
    "Leon"sv, "Liam"sv, "Lina"sv, "Linus"sv, "Lisa"sv, "Lorenzo"sv, "Lucas"sv, "Lucia"sv, "Luis"sv, "Luka"sv,
    "Maja"sv, "Malik"sv, "Marco"sv, "Margit"sv, "Maria"sv, "Marie"sv, "Mario"sv, "Marta"sv, "Martin"sv, "Mateo"sv,
    "Matilda"sv, "Max"sv, "Maya"sv, "Mehmet"sv, "Mei"sv, "Mia"sv, "Miguel"sv, "Mila"sv, "Milan"sv, "Mina"sv,
    "Mira"sv, "Mohammed"sv, "Nadia"sv, "Naomi"sv, "Nathan"sv, "Nico"sv, "Nina"sv, "Noah"sv, "Nora"sv, "Olaf"sv,
    "Olga"sv, "Oliver"sv, "Olivia"sv, "Omar"sv, "Oscar"sv, "Pablo"sv, "Paola"sv, "Patrick"sv, "Paul"sv, "Paula"sv,
    "Pedro"sv, "Petra"sv, "Pia"sv, "Priya"sv, "Rafael"sv, "Rahul"sv, "Rania"sv, "Raquel"sv, "Rebecca"sv, "Ren"sv,
    "Rita"sv, "Robert"sv, "Rosa"sv, "Ruben"sv, "Ruth"sv, "Sakura"sv, "Samuel"sv, "Sara"sv, "Sebastian"sv,
    "Selin"sv, "Sergio"sv, "Sofia"sv, "Sonja"sv, "Stefan"sv, "Sven"sv, "Tariq"sv, "Teresa"sv, "Theo"sv, "Thomas"sv,
    "Tobias"sv, "Tomas"sv, "Ulla"sv, "Valentina"sv, "Vera"sv, "Victor"sv, "Vikram"sv, "Viola"sv, "Wei"sv,
    "Wilhelm"sv, "Xavier"sv, "Yara"sv, "Yasmin"sv, "Yuki"sv, "Yusuf"sv, "Zara"sv, "Zeynep"sv, "Zoe"sv,
};

constexpr std::string_view k_last_names[] = {
    "Abbott"sv, "Acosta"sv, "Adler"sv, "Aguilar"sv, "Ahmadi"sv, "Albrecht"sv, "Alvarez"sv, "Andersen"sv,
    "Arnold"sv, "Asano"sv, "Bailey"sv, "Baker"sv, "Barros"sv, "Bauer"sv, "Becker"sv, "Bennett"sv, "Berg"sv,
    "Bernard"sv, "Bianchi"sv, "Blanco"sv, "Bloom"sv, "Bauman"sv, "Brandt"sv, "Brooks"sv, "Bruno"sv, "Caldwell"sv,
    "Campos"sv, "Carter"sv, "Castillo"sv, "Chandra"sv, "Chang"sv, "Clarke"sv, "Costa"sv, "Cruz"sv, "Dahl"sv,
    "Dalton"sv, "Davies"sv, "Delgado"sv, "Diaz"sv, "Dietrich"sv, "Dubois"sv, "Duarte"sv, "Eklund"sv, "Ellis"sv,
    "Engel"sv, "Esposito"sv, "Evans"sv, "Falk"sv, "Farouk"sv, "Ferrari"sv, "Ferreira"sv, "Fischer"sv,
    "Fleming"sv, "Fontaine"sv, "Foster"sv, "Franke"sv, "Fuchs"sv, "Garcia"sv, "Garnier"sv, "Gomez"sv, "Graf"sv,
    "Gray"sv, "Greco"sv, "Gruber"sv, "Gupta"sv, "Haas"sv, "Hahn"sv, "Hall"sv, "Hansen"sv, "Hartmann"sv,
    "Hayes"sv, "Heinz"sv, "Herrera"sv, "Hoffmann"sv, "Holm"sv, "Horvat"sv, "Huber"sv, "Hughes"sv, "Ibarra"sv,
    "Ivanova"sv, "Jansen"sv, "Jensen"sv, "Jimenez"sv, "Johansson"sv, "Jordan"sv, "Kaiser"sv, "Kato"sv,
    "Keller"sv, "Khan"sv, "Kim"sv, "Klein"sv, "Koch"sv, "Kovacs"sv, "Kramer"sv, "Kruger"sv, "Kumar"sv, "Lambert"sv,
    "Lang"sv, "Larsen"sv, "Laurent"sv, "Lehmann"sv, "Leone"sv, "Lindqvist"sv, "Lopez"sv, "Lorenz"sv, "Lund"sv,
    "Maier"sv, "Marino"sv, "Martens"sv, "Martin"sv, "Meyer"sv, "Molina"sv, "Moreau"sv, "Moreno"sv, "Morris"sv,
    "Moser"sv, "Murphy"sv, "Nagy"sv, "Nakamura"sv, "Navarro"sv, "Neumann"sv, "Nielsen"sv, "Novak"sv, "Nunez"sv,
    "Okafor"sv, "Oliveira"sv, "Olsen"sv, "Ortega"sv, "Otto"sv, "Park"sv, "Parker"sv, "Patel"sv, "Pereira"sv,
    "Perez"sv, "Peters"sv, "Petrov"sv, "Pohl"sv, "Popescu"sv, "Price"sv, "Quinn"sv, "Ramos"sv, "Reed"sv,
    "Reyes"sv, "Richter"sv, "Rios"sv, "Rivera"sv, "Roberts"sv, "Romano"sv, "Rossi"sv, "Roth"sv, "Roux"sv,
    "Russo"sv, "Sacco"sv, "Sanchez"sv, "Santos"sv, "Sato"sv, "Schmid"sv, "Schneider"sv, "Schulz"sv, "Schwarz"sv,
    "Silva"sv, "Simon"sv, "Singh"sv, "Sokolov"sv, "Sommer"sv, "Sousa"sv, "Stein"sv, "Stone"sv, "Suarez"sv,
    "Suzuki"sv, "Svensson"sv, "Tanaka"sv, "Taylor"sv, "Torres"sv, "Turner"sv, "Ueda"sv, "Unger"sv, "Valdez"sv,
    "Vargas"sv, "Vasquez"sv, "Vogel"sv, "Wagner"sv, "Walker"sv, "Walter"sv, "Wang"sv, "Weber"sv, "Weiss"sv,
    "Werner"sv, "White"sv, "Winter"sv, "Wolf"sv, "Wood"sv, "Wright"sv, "Xu"sv, "Yamada"sv, "Yilmaz"sv,
    "Young"sv, "Zhang"sv, "Ziegler"sv, "Zimmermann"sv,
};

constexpr std::string_view k_street_names[] = {
    "Acacia"sv, "Alder"sv, "Amber"sv, "Anchor"sv, "Apple"sv, "Arbor"sv, "Ash"sv, "Aspen"sv, "Autumn"sv,
    "Bay"sv, "Beacon"sv, "Beech"sv, "Bell"sv, "Birch"sv, "Blossom"sv, "Bluebell"sv, "Bridge"sv, "Brook"sv,
    "Canal"sv, "Castle"sv, "Cedar"sv, "Chapel"sv, "Cherry"sv, "Chestnut"sv, "Church"sv, "Clover"sv, "Coral"sv,
    "Cotton"sv, "Crescent"sv, "Cypress"sv, "Daisy"sv, "Dawn"sv, "Deer"sv, "Dove"sv, "Elder"sv, "Elm"sv, "Ember"sv,
    "Fern"sv, "Field"sv, "Fir"sv, "Forest"sv, "Fountain"sv, "Fox"sv, "Garden"sv, "Glen"sv, "Granite"sv, "Hawthorn"sv,
    "Hazel"sv, "Heather"sv, "Heron"sv, "Hickory"sv, "Highland"sv, "Hill"sv, "Holly"sv, "Honey"sv, "Iris"sv, "Ivy"sv,
    "Juniper"sv, "Kestrel"sv, "King"sv, "Lake"sv, "Lantern"sv, "Larch"sv, "Laurel"sv, "Lavender"sv, "Lilac"sv,
    "Lily"sv, "Linden"sv, "Maple"sv, "Marble"sv, "Market"sv, "Meadow"sv, "Mill"sv, "Mint"sv, "Moss"sv,
    "Mulberry"sv, "Myrtle"sv, "North"sv, "Oak"sv, "Olive"sv, "Orchard"sv, "Otter"sv, "Park"sv, "Pearl"sv,
    "Pebble"sv, "Pine"sv, "Plum"sv, "Poplar"sv, "Poppy"sv, "Primrose"sv, "Quarry"sv, "Queen"sv, "Rain"sv,
    "Raven"sv, "Reed"sv, "Ridge"sv, "River"sv, "Robin"sv, "Rose"sv, "Rowan"sv, "Saffron"sv, "Sage"sv, "School"sv,
    "Shore"sv, "Silver"sv, "Sparrow"sv, "Spring"sv, "Spruce"sv, "Station"sv, "Stone"sv, "Summer"sv, "Sunset"sv,
    "Swan"sv, "Sycamore"sv, "Thistle"sv, "Timber"sv, "Tulip"sv, "Valley"sv, "Violet"sv, "Walnut"sv, "Water"sv,
    "West"sv, "Willow"sv, "Windmill"sv, "Winter"sv, "Wren"sv, "Yew"sv,
    "Abbey"sv, "Acorn"sv, "Admiral"sv, "Albany"sv, "Almond"sv, "Alpine"sv, "Arcade"sv, "Arden"sv, "Astor"sv,
    "Atlantic"sv, "Avalon"sv, "Badger"sv, "Balsam"sv, "Bank"sv, "Barley"sv, "Barton"sv, "Bayview"sv, "Bramble"sv,
    "Briar"sv, "Brighton"sv, "Bristol"sv, "Buckingham"sv, "Butterfly"sv, "Cambridge"sv, "Canary"sv, "Canterbury"sv,
    "Cardinal"sv, "Carlton"sv, "Cascade"sv, "Chalk"sv, "Chancery"sv, "Clarendon"sv, "Cliff"sv, "Cobble"sv,
    "Colonial"sv, "Compass"sv, "Copper"sv, "Cornflower"sv, "Cottage"sv, "Cove"sv, "Crown"sv, "Dale"sv, "Dean"sv,
    "Derwent"sv, "Dockside"sv, "Dover"sv, "Drummond"sv, "Eagle"sv, "Elderberry"sv, "Emerald"sv, "Falcon"sv,
    "Ferry"sv, "Finch"sv, "Flint"sv, "Foxglove"sv, "Garnet"sv, "Gate"sv, "Ginger"sv, "Glade"sv, "Goldfinch"sv,
    "Grange"sv, "Granary"sv, "Greenway"sv, "Harbor"sv, "Harvest"sv, "Haven"sv, "Highgate"sv, "Hollyhock"sv,
    "Horizon"sv, "Jasmine"sv, "Kingfisher"sv, "Lakeside"sv, "Lark"sv, "Lighthouse"sv, "Magnolia"sv, "Mallard"sv,
    "Manor"sv, "Mariner"sv, "Marsh"sv, "Mayfair"sv, "Medway"sv, "Merchant"sv, "Millstone"sv, "Mistletoe"sv,
    "Monarch"sv, "Moorland"sv, "Nightingale"sv, "Oakfield"sv, "Observatory"sv, "Orchid"sv, "Osprey"sv, "Paddock"sv,
    "Pelican"sv, "Peony"sv, "Pilgrim"sv, "Pinecone"sv, "Quayside"sv, "Rampart"sv, "Redwood"sv, "Regent"sv,
    "Riverbank"sv, "Rosemary"sv, "Saddle"sv, "Salisbury"sv, "Sandpiper"sv, "Seaview"sv, "Shepherd"sv, "Skylark"sv,
    "Snowdrop"sv, "Sorrel"sv, "Stag"sv, "Starling"sv, "Sunflower"sv, "Tamarind"sv, "Tannery"sv, "Teal"sv,
    "Thornfield"sv, "Tower"sv, "Trinity"sv, "Union"sv, "Vale"sv, "Victoria"sv, "Vineyard"sv, "Warren"sv,
    "Waterloo"sv, "Weaver"sv, "Wharf"sv, "Whitebeam"sv, "Wildflower"sv, "Windsor"sv, "Woodland"sv,
};

constexpr std::string_view k_street_suffixes[] = {
    "Street"sv, "Road"sv, "Lane"sv, "Avenue"sv, "Way"sv, "Close"sv, "Drive"sv, "Court"sv, "Place"sv, "Row"sv,
    "Terrace"sv, "Square"sv, "Gardens"sv, "Walk"sv, "Grove"sv, "Hill"sv,
};

constexpr std::string_view k_cities[] = {
    "Alderford"sv, "Ashbury"sv, "Ashwick"sv, "Baywater"sv, "Beachmont"sv, "Bellhaven"sv, "Birchfield"sv,
    "Blackmoor"sv, "Bramblewood"sv, "Brightwater"sv, "Brookhaven"sv, "Brynmere"sv, "Cedarville"sv, "Clearbrook"sv,
    "Cliffside"sv, "Clovermead"sv, "Coldspring"sv, "Copperton"sv, "Cragmoor"sv, "Crystal Bay"sv, "Dalebridge"sv,
    "Deepdale"sv, "Dunmore"sv, "Eastbrook"sv, "Edgewater"sv, "Elmstead"sv, "Elton Vale"sv, "Fairhaven"sv,
    "Fallowfield"sv, "Fernhill"sv, "Foxborough"sv, "Frostholm"sv, "Glenwood"sv, "Goldcrest"sv, "Graniteburg"sv,
    "Greenport"sv, "Greystone"sv, "Hallowmere"sv, "Harborview"sv, "Hartwell"sv, "Hazelton"sv, "Heathcote"sv,
    "Highbridge"sv, "Hollowbrook"sv, "Ironvale"sv, "Ivybridge Falls"sv, "Juniper Hills"sv, "Kestrel Point"sv,
    "Kingsmere"sv, "Lakemont"sv, "Larkspur"sv, "Linden Cross"sv, "Littlebrook"sv, "Longford"sv, "Lowmoor"sv,
    "Maplewood"sv, "Marshfield"sv, "Meadowvale"sv, "Millbrook"sv, "Mistral"sv, "Moorhaven"sv, "Northwick"sv,
    "Oakhurst"sv, "Old Harbor"sv, "Orchard Hill"sv, "Pebblestone"sv, "Pinecrest"sv, "Port Alden"sv,
    "Port Mirren"sv, "Quarrytown"sv, "Queensford"sv, "Ravenscar"sv, "Redcliff"sv, "Ridgeway"sv, "Riverside"sv,
    "Rosewood"sv, "Saltmarsh"sv, "Sandhaven"sv, "Shadowbrook"sv, "Silverlake"sv, "Southmere"sv, "Springvale"sv,
    "Stonebridge"sv, "Summerfield"sv, "Sunnybank"sv, "Swanmere"sv, "Thornbury"sv, "Timberline"sv, "Upton Cross"sv,
    "Valemont"sv, "Westbrook"sv, "Whitby Rise"sv, "Willowdale"sv, "Windham"sv, "Winterport"sv, "Wolfden"sv,
    "Woodhaven"sv, "Wrenfield"sv, "Yarrow"sv, "Zephyr Bay"sv,
    "Amberley"sv, "Applecross"sv, "Ardmore"sv, "Ashcombe"sv, "Aston Vale"sv, "Auburn Ridge"sv, "Bardsey"sv,
    "Barrowfield"sv, "Beechcroft"sv, "Bellmont"sv, "Bexford"sv, "Blue Harbor"sv, "Bridgewater"sv, "Broadmere"sv,
    "Brookfield"sv, "Burnside"sv, "Caldermere"sv, "Cameron Bay"sv, "Carrowmore"sv, "Castlebrook"sv, "Cedar Falls"sv,
    "Chesterwood"sv, "Claymore"sv, "Coldharbor"sv, "Coralbay"sv, "Cotterill"sv, "Crestview"sv, "Crossford"sv,
    "Dalewood"sv, "Deerfield"sv, "Dovercourt"sv, "Driftwood"sv, "Dunhaven"sv, "Eastmere"sv, "Elmridge"sv,
    "Emberton"sv, "Fairmeadow"sv, "Falconbridge"sv, "Fernvale"sv, "Fieldmont"sv, "Fox Hollow"sv, "Glenmoor"sv,
    "Goldmere"sv, "Granton"sv, "Greenhill"sv, "Hadleigh Cross"sv, "Harrowgate"sv, "Hawksmoor"sv, "Heatherfield"sv,
    "Hillcrest"sv, "Hollyford"sv, "Irongate"sv, "Kestrelmoor"sv, "Kingsbridge"sv, "Lakeshore"sv, "Langdale"sv,
    "Lindenfield"sv, "Lockhaven"sv, "Marble Falls"sv, "Meadowbrook"sv, "Merriton"sv, "Millhaven"sv, "Mossgrove"sv,
    "Newhaven"sv, "Northbridge"sv, "Oakdale"sv, "Oldcastle"sv, "Orchardton"sv, "Pembrook"sv, "Pinehurst"sv,
    "Port Ellery"sv, "Port Sorrel"sv, "Quailfield"sv, "Ravenwood"sv, "Redhaven"sv, "Ridgefield"sv, "Rivermouth"sv,
    "Rockport"sv, "Saltburn"sv, "Sandridge"sv, "Seabrook"sv, "Silverton"sv, "Southbridge"sv, "Stillwater"sv,
    "Stonehaven"sv, "Sunmere"sv, "Tallowfield"sv, "Thistledown"sv, "Three Oaks"sv, "Tidewater"sv, "Valleyford"sv,
    "Westhaven"sv, "Whitewater"sv, "Wildmere"sv, "Willowbrook"sv, "Windermere Cross"sv, "Woodbridge"sv, "Wrexmoor"sv,
    "Yellow Bay"sv,
};

constexpr std::string_view k_company_stems[] = {
    "Acme"sv, "Apex"sv, "Arbor"sv, "Atlas"sv, "Aurora"sv, "Beacon"sv, "Bluebird"sv, "Boreal"sv, "Brightline"sv,
    "Cascade"sv, "Cedar"sv, "Cinder"sv, "Cobalt"sv, "Compass"sv, "Copper"sv, "Crescent"sv, "Delta"sv, "Ember"sv,
    "Evergreen"sv, "Falcon"sv, "Fjord"sv, "Foxglove"sv, "Frontier"sv, "Galaxy"sv, "Granite"sv, "Harbor"sv,
    "Helix"sv, "Horizon"sv, "Indigo"sv, "Iron"sv, "Juniper"sv, "Keystone"sv, "Lantern"sv, "Lighthouse"sv,
    "Lumen"sv, "Maple"sv, "Meridian"sv, "Monarch"sv, "Nimbus"sv, "Northwind"sv, "Nova"sv, "Oakridge"sv,
    "Obsidian"sv, "Orbit"sv, "Orchid"sv, "Pinnacle"sv, "Pioneer"sv, "Polaris"sv, "Prism"sv, "Quartz"sv,
    "Quill"sv, "Radiant"sv, "Redwood"sv, "Riverstone"sv, "Saffron"sv, "Sapphire"sv, "Sequoia"sv, "Sierra"sv,
    "Silverline"sv, "Solstice"sv, "Sparrow"sv, "Spectrum"sv, "Summit"sv, "Tandem"sv, "Terra"sv, "Thistle"sv,
    "Tidewater"sv, "Timberwolf"sv, "Trident"sv, "Umbra"sv, "Vanguard"sv, "Vertex"sv, "Vista"sv, "Willow"sv,
    "Zenith"sv, "Zephyr"sv,
    "Alder"sv, "Amberline"sv, "Anchor"sv, "Arcadia"sv, "Argent"sv, "Aspen"sv, "Avalon"sv, "Basalt"sv, "Birchwood"sv,
    "Blackstone"sv, "Blueprint"sv, "Boulder"sv, "Bramble"sv, "Brightwater"sv, "Canopy"sv, "Caravel"sv, "Catalyst"sv,
    "Celadon"sv, "Chalkboard"sv, "Citadel"sv, "Clearwater"sv, "Cloudberry"sv, "Coastline"sv, "Cornerstone"sv,
    "Crimson"sv, "Crossroads"sv, "Daybreak"sv, "Driftwood"sv, "Echo"sv, "Elmstead"sv, "Emberly"sv, "Equinox"sv,
    "Fairwind"sv, "Fernleaf"sv, "Firefly"sv, "Flagstone"sv, "Fountain"sv, "Glacier"sv, "Goldleaf"sv, "Greenfield"sv,
    "Hartwell"sv, "Heartwood"sv, "Highland"sv, "Hollow"sv, "Ivory"sv, "Kestrel"sv, "Lakeshore"sv, "Larkspur"sv,
    "Limestone"sv, "Lodestar"sv, "Marigold"sv, "Meadowlark"sv, "Millstone"sv, "Moonrise"sv, "Northstar"sv,
    "Oakmont"sv, "Pebble"sv, "Pinecrest"sv, "Quarry"sv, "Rainier"sv, "Ridgeline"sv, "Rosewood"sv, "Saltmarsh"sv,
    "Sandstone"sv, "Silverbirch"sv, "Skyline"sv, "Starling"sv, "Stonebridge"sv, "Sunbeam"sv, "Tamarack"sv,
    "Thornbury"sv, "Tidal"sv, "Trailhead"sv, "Upland"sv, "Waypoint"sv, "Westwind"sv, "Wildflower"sv,
};

constexpr std::string_view k_company_suffixes[] = {
    "Labs"sv, "Systems"sv, "Industries"sv, "Group"sv, "Partners"sv, "Holdings"sv, "Works"sv, "Solutions"sv,
    "Logistics"sv, "Foods"sv, "Studios"sv, "Analytics"sv, "Ventures"sv, "Trading"sv, "Consulting"sv,
    "Manufacturing"sv, "Software"sv, "Energy"sv, "Health"sv, "Media"sv,
};

constexpr std::string_view k_countries[] = {
    "Afghanistan"sv, "Albania"sv, "Algeria"sv, "Andorra"sv, "Angola"sv, "Argentina"sv, "Armenia"sv,
    "Australia"sv, "Austria"sv, "Azerbaijan"sv, "Bahamas"sv, "Bahrain"sv, "Bangladesh"sv, "Barbados"sv,
    "Belarus"sv, "Belgium"sv, "Belize"sv, "Benin"sv, "Bhutan"sv, "Bolivia"sv, "Bosnia and Herzegovina"sv,
    "Botswana"sv, "Brazil"sv, "Brunei"sv, "Bulgaria"sv, "Burkina Faso"sv, "Burundi"sv, "Cambodia"sv,
    "Cameroon"sv, "Canada"sv, "Cape Verde"sv, "Chad"sv, "Chile"sv, "China"sv, "Colombia"sv, "Comoros"sv,
    "Costa Rica"sv, "Croatia"sv, "Cuba"sv, "Cyprus"sv, "Czechia"sv, "Denmark"sv, "Djibouti"sv, "Dominica"sv,
    "Dominican Republic"sv, "Ecuador"sv, "Egypt"sv, "El Salvador"sv, "Estonia"sv, "Eswatini"sv, "Ethiopia"sv,
    "Fiji"sv, "Finland"sv, "France"sv, "Gabon"sv, "Gambia"sv, "Georgia"sv, "Germany"sv, "Ghana"sv, "Greece"sv,
    "Grenada"sv, "Guatemala"sv, "Guinea"sv, "Guyana"sv, "Haiti"sv, "Honduras"sv, "Hungary"sv, "Iceland"sv,
    "India"sv, "Indonesia"sv, "Iran"sv, "Iraq"sv, "Ireland"sv, "Israel"sv, "Italy"sv, "Jamaica"sv, "Japan"sv,
    "Jordan"sv, "Kazakhstan"sv, "Kenya"sv, "Kiribati"sv, "Kuwait"sv, "Kyrgyzstan"sv, "Laos"sv, "Latvia"sv,
    "Lebanon"sv, "Lesotho"sv, "Liberia"sv, "Libya"sv, "Liechtenstein"sv, "Lithuania"sv, "Luxembourg"sv,
    "Madagascar"sv, "Malawi"sv, "Malaysia"sv, "Maldives"sv, "Mali"sv, "Malta"sv, "Mauritania"sv, "Mauritius"sv,
    "Mexico"sv, "Moldova"sv, "Monaco"sv, "Mongolia"sv, "Montenegro"sv, "Morocco"sv, "Mozambique"sv, "Myanmar"sv,
    "Namibia"sv, "Nauru"sv, "Nepal"sv, "Netherlands"sv, "New Zealand"sv, "Nicaragua"sv, "Niger"sv, "Nigeria"sv,
    "North Macedonia"sv, "Norway"sv, "Oman"sv, "Pakistan"sv, "Palau"sv, "Panama"sv, "Papua New Guinea"sv,
    "Paraguay"sv, "Peru"sv, "Philippines"sv, "Poland"sv, "Portugal"sv, "Qatar"sv, "Romania"sv, "Rwanda"sv,
    "Samoa"sv, "San Marino"sv, "Saudi Arabia"sv, "Senegal"sv, "Serbia"sv, "Seychelles"sv, "Sierra Leone"sv,
    "Singapore"sv, "Slovakia"sv, "Slovenia"sv, "Somalia"sv, "South Africa"sv, "South Korea"sv, "Spain"sv,
    "Sri Lanka"sv, "Sudan"sv, "Suriname"sv, "Sweden"sv, "Switzerland"sv, "Tajikistan"sv, "Tanzania"sv,
    "Thailand"sv, "Togo"sv, "Tonga"sv, "Tunisia"sv, "Turkey"sv, "Turkmenistan"sv, "Tuvalu"sv, "Uganda"sv,
    "Ukraine"sv, "United Arab Emirates"sv, "United Kingdom"sv, "United States"sv, "Uruguay"sv, "Uzbekistan"sv,
    "Vanuatu"sv, "Venezuela"sv, "Vietnam"sv, "Yemen"sv, "Zambia"sv, "Zimbabwe"sv,
};

constexpr std::string_view k_words[] = {
    "amber"sv, "anchor"sv, "apple"sv, "arrow"sv, "aspen"sv, "atlas"sv, "badge"sv, "bamboo"sv, "banjo"sv,
    "basil"sv, "beacon"sv, "berry"sv, "bison"sv, "blaze"sv, "bloom"sv, "breeze"sv, "brook"sv, "cabin"sv,
    "cactus"sv, "candle"sv, "canyon"sv, "cedar"sv, "cherry"sv, "cider"sv, "cinder"sv, "clover"sv, "cobalt"sv,
    "comet"sv, "copper"sv, "coral"sv, "cricket"sv, "crystal"sv, "daisy"sv, "delta"sv, "dune"sv, "eagle"sv,
    "echo"sv, "ember"sv, "falcon"sv, "fern"sv, "fiddle"sv, "flint"sv, "forest"sv, "fox"sv, "galaxy"sv,
    "garnet"sv, "ginger"sv, "glacier"sv, "granite"sv, "harbor"sv, "hazel"sv, "heron"sv, "honey"sv, "indigo"sv,
    "iris"sv, "island"sv, "ivory"sv, "jade"sv, "jasper"sv, "juniper"sv, "kettle"sv, "kite"sv, "koala"sv,
    "lagoon"sv, "lantern"sv, "lark"sv, "lemon"sv, "lilac"sv, "linen"sv, "lotus"sv, "lunar"sv, "maple"sv,
    "marble"sv, "meadow"sv, "melody"sv, "mint"sv, "mosaic"sv, "nectar"sv, "nimbus"sv, "nova"sv, "oasis"sv,
    "ocean"sv, "olive"sv, "onyx"sv, "opal"sv, "orbit"sv, "orchid"sv, "otter"sv, "panda"sv, "pebble"sv,
    "pepper"sv, "pixel"sv, "planet"sv, "plume"sv, "prism"sv, "quartz"sv, "quill"sv, "rain"sv, "raven"sv,
    "reef"sv, "ripple"sv, "river"sv, "robin"sv, "saffron"sv, "sage"sv, "sapphire"sv, "shadow"sv, "sierra"sv,
    "silver"sv, "sparrow"sv, "spruce"sv, "star"sv, "storm"sv, "summit"sv, "sunset"sv, "thistle"sv, "thunder"sv,
    "tiger"sv, "timber"sv, "topaz"sv, "tulip"sv, "tundra"sv, "velvet"sv, "violet"sv, "walnut"sv, "willow"sv,
    "winter"sv, "wren"sv, "yarrow"sv, "zephyr"sv,
    "acorn"sv, "alpine"sv, "anvil"sv, "aurora"sv, "autumn"sv, "beetle"sv, "birch"sv, "biscuit"sv, "blossom"sv,
    "boulder"sv, "bramble"sv, "bronze"sv, "bubble"sv, "button"sv, "canvas"sv, "caramel"sv, "cascade"sv, "cashew"sv,
    "chalk"sv, "cinnamon"sv, "citrus"sv, "cobble"sv, "compass"sv, "cosmos"sv, "cotton"sv, "crane"sv, "crimson"sv,
    "cypress"sv, "dawn"sv, "dolphin"sv, "dragon"sv, "drift"sv, "feather"sv, "fennel"sv, "firefly"sv, "fjord"sv,
    "flame"sv, "flute"sv, "frost"sv, "garden"sv, "geyser"sv, "glade"sv, "glow"sv, "gravel"sv, "grove"sv, "hammock"sv,
    "harvest"sv, "hawk"sv, "hollow"sv, "horizon"sv, "iceberg"sv, "jasmine"sv, "jungle"sv, "kernel"sv, "lava"sv,
    "lemonade"sv, "lichen"sv, "lilypad"sv, "lynx"sv, "magnet"sv, "mango"sv, "marsh"sv, "meteor"sv, "mirror"sv,
    "moss"sv, "nebula"sv, "nutmeg"sv, "oak"sv, "orca"sv, "paddle"sv, "papaya"sv, "parrot"sv, "peach"sv, "pine"sv,
    "puffin"sv, "quasar"sv, "radish"sv, "rocket"sv, "rose"sv, "rowan"sv, "saddle"sv, "salmon"sv, "sandal"sv,
    "scarlet"sv, "sequoia"sv, "shell"sv, "signal"sv, "sketch"sv, "slate"sv, "snowy"sv, "sonnet"sv, "spark"sv,
    "spice"sv, "sprout"sv, "squirrel"sv, "sunrise"sv, "swallow"sv, "tango"sv, "tempo"sv, "thimble"sv, "tide"sv,
    "tornado"sv, "trail"sv, "truffle"sv, "turtle"sv, "umber"sv, "valley"sv, "vapor"sv, "walrus"sv, "whistle"sv,
    "yonder"sv, "zinc"sv,
};

template <std::size_t N>
std::size_t remainder_by(std::uint64_t hash) {
    return static_cast<std::size_t>(hash % N);
}

template <std::size_t N>
Dictionary make_dictionary(const std::string_view (&entries)[N]) {
    return Dictionary{entries, N, &remainder_by<N>};
}

}  // namespace

const Dictionary& first_names() { static const Dictionary value = make_dictionary(k_first_names); return value; }
const Dictionary& last_names() { static const Dictionary value = make_dictionary(k_last_names); return value; }
const Dictionary& street_names() { static const Dictionary value = make_dictionary(k_street_names); return value; }
const Dictionary& street_suffixes() { static const Dictionary value = make_dictionary(k_street_suffixes); return value; }
const Dictionary& cities() { static const Dictionary value = make_dictionary(k_cities); return value; }
const Dictionary& company_stems() { static const Dictionary value = make_dictionary(k_company_stems); return value; }
const Dictionary& company_suffixes() { static const Dictionary value = make_dictionary(k_company_suffixes); return value; }
const Dictionary& countries() { static const Dictionary value = make_dictionary(k_countries); return value; }
const Dictionary& words() { static const Dictionary value = make_dictionary(k_words); return value; }

}  // namespace understudy::anonymizer
